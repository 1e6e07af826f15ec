"""Child process of the start-up benchmark: `python -m bench.start_probe app|bare|production DATA_DIR [URL]`.
Prints the seconds from BENCH_T0 (the parent's clock when it spawned this process) to the first paint of the app's
first window, and to the first paint of the full main window (the bare window: the same number twice).

`production`: an enrolled PC (DATA_DIR) signing in to the city at URL and opening its main window, by the same
calls `counterdesk` makes after its log-in dialog (the password is given, not typed). Its keyring is this process's
memory, seeded from DATA_DIR/keyring.json (the parent enrolled the PC into it)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main() -> None:
    t0 = float(os.environ["BENCH_T0"])
    kind, data_dir = sys.argv[1], sys.argv[2]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if kind == "login":
        login_screen(Path(data_dir), sys.argv[3])
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
    elif kind == "production":
        production(Path(data_dir), sys.argv[3], app, watch)
    else:
        from desktop.launch import Launch, practice

        def ready(main: QMainWindow) -> None:
            watch(main, "ready", last=True)
            main.update()

        launch = Launch(app, practice(Path(data_dir)), on_ready=ready)
        watch(launch.startup, "first", last=False)
    app.exec()
    print(f"{painted['first']:.4f} {painted.get('ready', painted['first']):.4f}", flush=True)
    os._exit(0)  # the measurement is taken; do not time the shutdown


def use_process_keyring(data_dir: Path) -> None:
    """This process's memory as the keyring, seeded with what the parent's enrolment kept (no Secret Service)."""
    import keyring
    from keyring.backend import KeyringBackend

    held: dict[str, str] = json.loads((data_dir / "keyring.json").read_text(encoding="utf-8"))

    class ProcessKeyring(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]  # keyring's own __init__ has no annotations

        def get_password(self, service: str, username: str) -> str | None:
            return held.get(username)

        def set_password(self, service: str, username: str, password: str) -> None:
            held[username] = password

        def delete_password(self, service: str, username: str) -> None:
            held.pop(username, None)

    keyring.set_keyring(ProcessKeyring())


def production(data_dir: Path, url: str, app: Any, watch: Callable[[Any, str, bool], None]) -> None:
    from desktop import app as qtapp
    from desktop.bootstrap import connect
    from desktop.main_window import MainWindow
    from desktop.tasks import TaskRunner
    from sync.city.client import Credentials

    use_process_keyring(data_dir)
    qtapp.configure(app)
    services = connect(data_dir, url, Credentials(os.environ["BENCH_USER"], os.environ["BENCH_PASSWORD"]))
    window = MainWindow(services, TaskRunner())
    watch(window, "first", False)
    watch(window, "ready", True)
    window.show()


def login_screen(data_dir: Path, url: str) -> None:
    """`counterdesk --server URL` itself, up to the first paint of its log-in dialog (what the clerk types into)."""
    t0 = float(os.environ["BENCH_T0"])
    from desktop.__main__ import main as counterdesk
    from desktop.views.login import LoginDialog

    use_process_keyring(data_dir)

    def painted(self: LoginDialog, event: Any) -> None:
        print(f"{time.time() - t0:.4f} {time.time() - t0:.4f}", flush=True)
        os._exit(0)

    LoginDialog.paintEvent = painted  # type: ignore[method-assign,assignment]
    counterdesk(["--data-dir", str(data_dir), "--server", url])
    raise SystemExit("the log-in dialog was never painted")


if __name__ == "__main__":
    main()
