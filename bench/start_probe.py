"""Child process of the start-up benchmark: `python -m bench.start_probe app|bare DATA_DIR`. Prints the seconds
from BENCH_T0 (the parent's clock when it spawned this process) to the first paint of the main window."""

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
    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.time() - t0)
                QTimer.singleShot(0, app.quit)
            return False

    if kind == "bare":
        window = QMainWindow()
    else:
        from pathlib import Path

        from desktop import app as qtapp
        from desktop.bootstrap import start_sandbox
        from desktop.main_window import MainWindow
        from desktop.tasks import TaskRunner

        qtapp.configure(app)
        services = start_sandbox(Path(data_dir))
        runner = TaskRunner()
        window = MainWindow(services, runner)
    spy = FirstPaint()
    window.installEventFilter(spy)
    window.show()
    app.exec()
    print(f"{painted[0]:.4f}", flush=True)
    os._exit(0)  # the measurement is taken; do not time the shutdown


if __name__ == "__main__":
    main()
