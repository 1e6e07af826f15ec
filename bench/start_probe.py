"""Child process of the start-up benchmark: `python -m bench.start_probe app|bare DATA_DIR`. Prints the seconds
from BENCH_T0 (the parent's clock when it spawned this process) to the first paint of the app's first window,
and to the first paint of the full main window (the bare window: the same number twice)."""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    t0 = float(os.environ["BENCH_T0"])
    kind, data_dir = sys.argv[1], sys.argv[2]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    painted: dict[str, float] = {}

    class FirstPaint(QObject):
        """Notes when a window first paints; the probe ends once the window the clerk works in has painted."""

        def __init__(self, name: str, last: bool) -> None:
            super().__init__()
            self.name, self.last = name, last

        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and self.name not in painted:
                painted[self.name] = time.time() - t0
                if self.last:
                    QTimer.singleShot(0, app.quit)
            return False

    spies: list[FirstPaint] = []

    def watch(window: QMainWindow, name: str, last: bool) -> None:
        spy = FirstPaint(name, last)
        spies.append(spy)
        window.installEventFilter(spy)

    if kind == "bare":
        window = QMainWindow()
        watch(window, "first", last=True)
        window.show()
    else:
        from pathlib import Path

        from desktop.launch import Launch, practice

        def ready(main: QMainWindow) -> None:
            watch(main, "ready", last=True)
            main.update()

        launch = Launch(app, practice(Path(data_dir)), on_ready=ready)
        watch(launch.startup, "first", last=False)
    app.exec()
    print(f"{painted['first']:.4f} {painted.get('ready', painted['first']):.4f}", flush=True)
    os._exit(0)  # the measurement is taken; do not time the shutdown


if __name__ == "__main__":
    main()
