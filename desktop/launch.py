"""Start the window before the work: a plain window is on screen as soon as Qt is up; the services (ledger,
practice city server, catalog) and the heavy modules load in the background; the full window then takes its
place at the same position. A clerk sees the app at once instead of nothing for two seconds.

Only PySide6 and light modules are imported here: everything heavy is imported on the worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.views.screen import fit_to_screen  # PySide6 only: light

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
        fit_to_screen(self)
        self.label = QLabel("")
        self.label.setObjectName("startup_label")
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy
        self.bar.setMaximumWidth(360)
        # Shown when the ledger is damaged or lost: a supervisor rebuilds it from the city, here.
        self.rebuild_button = QPushButton("自市府重建帳本（主管）…")
        self.rebuild_button.setObjectName("startup_rebuild")
        self.rebuild_button.setVisible(False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.rebuild_button, alignment=Qt.AlignmentFlag.AlignLeft)
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
        rebuild: Callable[[str, str], list[str]] | None = None,
        font_size: int = 11,
    ) -> None:
        """`rebuild(supervisor, password)` rebuilds a damaged ledger from the city and returns its report lines."""
        self.app = app
        self._rebuild = rebuild
        self._font_size = font_size
        self.report: list[str] = []  # the last rebuild's report, as shown
        self.runner: TaskRunner | None = None  # made after the first paint
        self.window: MainWindow | None = None
        self.services: Services | None = None
        self._build = build
        self._on_ready = on_ready
        self.startup = StartupWindow(self._after_first_paint)
        self.startup.rebuild_button.clicked.connect(self.on_rebuild_clicked)
        self.startup.show()

    def _after_first_paint(self) -> None:
        from desktop import app as qtapp  # the font files are read now, not before the first paint
        from desktop.tasks import TaskRunner

        qtapp.configure(self.app, self._font_size)
        self.startup.label.setText("正在開啟練習模式（模擬市府伺服器與本機資料）…")
        self.runner = TaskRunner()
        self.runner.run("db", self._load, self._ready, self._failed, owner=self.startup)

    def _load(self) -> Services:
        import desktop.main_window  # noqa: F401  (imported here, off the GUI thread)

        return self._build()

    def _ready(self, services: Services) -> None:
        from desktop.heap import freeze_startup_heap
        from desktop.main_window import MainWindow

        self.services = services
        assert self.runner is not None
        window = MainWindow(services, self.runner)
        window.setGeometry(self.startup.geometry())
        window.setWindowState(self.startup.windowState())  # maximised on a small screen, as the first window was
        window.restore_layout()  # or, where this clerk left it last time
        window.show()
        self.startup.close()
        freeze_startup_heap()
        self.window = window
        self._on_ready(window)

    def _failed(self, exc: BaseException) -> None:
        import logging

        logging.getLogger(__name__).exception("start-up failed", exc_info=exc)
        code = getattr(exc, "code", None)
        self.startup.bar.setVisible(False)
        if code:
            from forms.messages import text

            self.startup.label.setText("無法啟動：" + text(code, **getattr(exc, "params", {})))
        else:
            from desktop import logs

            self.startup.label.setText(f"無法啟動：{type(exc).__name__}（{logs.see_log()}）")
        self.startup.rebuild_button.setVisible(self._rebuild is not None and code in REBUILD_CODES)

    def on_rebuild_clicked(self) -> None:
        rebuild = self._rebuild
        assert rebuild is not None and self.runner is not None
        answer = self.ask(self.startup)
        if answer is None:
            return
        supervisor, password = answer[0].strip(), answer[1]
        self.startup.rebuild_button.setEnabled(False)
        self.startup.bar.setVisible(True)
        self.startup.label.setText("正在自市府重建帳本：取回本機案件並救回損毀檔案中可讀的資料…")
        self.runner.run(
            "net", lambda: rebuild(supervisor, password), self._rebuilt, self._rebuild_failed, owner=self.startup
        )

    def ask(self, parent: QWidget) -> tuple[str, str, str] | None:
        """The supervisor's name and password (a dialog; tests answer for it)."""
        from desktop.views.supervisor import ask_supervisor

        return ask_supervisor(parent, "自市府重建帳本", "請本所主管輸入帳號與密碼（須連線市府）。", with_reason=False)

    def _rebuilt(self, lines: list[str]) -> None:
        self.startup.rebuild_button.setVisible(False)
        self.report = lines
        self.startup.label.setText("帳本已重建：\n" + "\n".join(lines) + "\n正在重新開啟…")
        assert self.runner is not None
        self.runner.run("db", self._load, self._ready, self._failed, owner=self.startup)

    def _rebuild_failed(self, exc: BaseException) -> None:
        from desktop.views.errors import describe

        self.startup.bar.setVisible(False)
        self.startup.rebuild_button.setEnabled(True)
        self.startup.label.setText("重建帳本失敗：" + describe(exc))


REBUILD_CODES = ("ledger_damaged", "ledger_unreadable", "store_sealed")  # what a rebuild from the city mends


def practice_rebuild(data_dir: Path) -> Callable[[str, str], list[str]]:
    def rebuild(supervisor: str, password: str) -> list[str]:
        from desktop.bootstrap import recover_ledger

        report, device_id = recover_ledger(data_dir, supervisor, password, practice=True)
        return report.lines(device_id)

    return rebuild


def practice(data_dir: Path, idle_lock_s: float = 600.0) -> Callable[[], Any]:
    def build() -> Services:
        from desktop.bootstrap import start_sandbox

        services = start_sandbox(data_dir)
        services.idle_lock_s = idle_lock_s
        return services

    return build
