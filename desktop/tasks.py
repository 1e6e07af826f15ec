"""Background work off the GUI thread: a `db` lane (one worker), a `net` lane (four) and a `print` lane (one).

Results come back to the GUI thread through a queued signal (Anki's run_on_main pattern): the worker never
touches a widget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)


class TaskRunner(QObject):
    """Signals:
    finished_one: emitted on the GUI thread after a task's callback ran (tests wait on it).
    """

    _posted = Signal()
    finished_one = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lanes = {
            "db": ThreadPoolExecutor(max_workers=1, thread_name_prefix="db"),
            "net": ThreadPoolExecutor(max_workers=4, thread_name_prefix="net"),
            "print": ThreadPoolExecutor(max_workers=1, thread_name_prefix="print"),  # one page after another
        }
        self._lock = threading.Lock()
        self._ready: list[Callable[[], None]] = []
        self._in_flight = 0
        self._posted.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._in_flight > 0

    def run(
        self,
        lane: str,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
        owner: QObject | None = None,
    ) -> None:
        """Run fn on a worker of `lane`; call on_success(result) or on_failure(exc) on the GUI thread.

        With `owner`, the callbacks are dropped if the owner widget was deleted meanwhile (window closed).
        """
        self._in_flight += 1
        future = self._lanes[lane].submit(fn)

        def done(f: Future[Any]) -> None:
            exc = f.exception()

            def deliver() -> None:
                self._in_flight -= 1
                if owner is not None and not shiboken6.isValid(owner):
                    log.info("dropping the result of a task whose window is gone")
                    return
                if exc is not None:
                    on_failure(exc)
                else:
                    on_success(f.result())

            with self._lock:
                self._ready.append(deliver)
            self._posted.emit()

        future.add_done_callback(done)

    def _drain(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, []
        for deliver in ready:
            try:
                deliver()
            finally:
                self.finished_one.emit()

    def shutdown(self, wait: bool = True) -> None:
        for pool in self._lanes.values():
            pool.shutdown(wait=wait, cancel_futures=True)


def wait_idle(runner: TaskRunner, timeout_s: float = 30.0) -> None:
    """Process events until no task is in flight (demo and tests; never used by the window itself)."""
    import time

    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout_s
    while runner.busy:
        if time.monotonic() > deadline:
            raise TimeoutError("background work did not finish")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    QCoreApplication.processEvents()
