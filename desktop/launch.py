"""Start the window before the work: a plain window is on screen as soon as Qt is up; the services (ledger,
practice city server, catalog) and the heavy modules load in the background; the full window then takes its
place at the same position. A clerk sees the app at once instead of nothing for two seconds.

Only PySide6 and light modules are imported here: everything heavy is imported on the worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QProgressBar, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from desktop.bootstrap import Services
    from desktop.main_window import MainWindow
    from desktop.tasks import TaskRunner


class StartupWindow(QMainWindow):
    """The first window: a busy bar, then a line saying what is being opened (once the font is loaded).
    `first_paint` is called once, after the window has first painted."""

    def __init__(self, first_paint: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self._first_paint: Callable[[], None] | None = first_paint
        self.setObjectName("startup_window")
        self.setWindowTitle("Counterdesk 臨櫃服務")
        self.resize(1280, 800)
        self.label = QLabel("")
        self.label.setObjectName("startup_label")
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy
        bar.setMaximumWidth(360)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(bar)
        layout.addStretch(2)
        self.setCentralWidget(central)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        if self._first_paint is not None:
            then, self._first_paint = self._first_paint, None
            QTimer.singleShot(0, then)  # after this paint reaches the screen


class Launch:
    """Shows the startup window now; builds the services with `build` on a worker; then shows the main window.

    `on_ready(window)` is called with the main window once it is shown (the demo and the benchmark use it)."""

    def __init__(
        self,
        app: QApplication,
        build: Callable[[], Services],
        on_ready: Callable[[MainWindow], None] = lambda _w: None,
    ) -> None:
        self.app = app
        self.runner: TaskRunner | None = None  # made after the first paint
        self.window: MainWindow | None = None
        self.services: Services | None = None
        self._build = build
        self._on_ready = on_ready
        self.startup = StartupWindow(self._after_first_paint)
        self.startup.show()

    def _after_first_paint(self) -> None:
        from desktop import app as qtapp  # the font files are read now, not before the first paint
        from desktop.tasks import TaskRunner

        qtapp.configure(self.app)
        self.startup.label.setText("正在開啟練習模式（模擬市府伺服器與本機資料）…")
        self.runner = TaskRunner()
        self.runner.run("db", self._load, self._ready, self._failed, owner=self.startup)

    def _load(self) -> Services:
        import desktop.main_window  # noqa: F401  (imported here, off the GUI thread)

        return self._build()

    def _ready(self, services: Services) -> None:
        from desktop.main_window import MainWindow

        self.services = services
        assert self.runner is not None
        window = MainWindow(services, self.runner)
        window.setGeometry(self.startup.geometry())
        window.show()
        self.startup.close()
        self.window = window
        self._on_ready(window)

    def _failed(self, exc: BaseException) -> None:
        import logging

        logging.getLogger(__name__).exception("start-up failed", exc_info=exc)
        code = getattr(exc, "code", None)
        if code:
            from forms.messages import text

            self.startup.label.setText("無法啟動：" + text(code, **getattr(exc, "params", {})))
        else:
            self.startup.label.setText(f"無法啟動：{type(exc).__name__}（詳見紀錄檔）")


def practice(data_dir: Path) -> Callable[[], Any]:
    def build() -> Services:
        from desktop.bootstrap import start_sandbox

        return start_sandbox(data_dir)

    return build
