"""Background work off the GUI thread: a `db` lane (one worker), a `net` lane (four) and a `print` lane (one).

Results come back to the GUI thread through a list a GUI-thread timer drains while work is in flight: the worker
never touches a widget, nor any Qt object. (A Qt signal emitted from a Python worker thread crashed PySide6 6.12 with a
refcount error in a 3,000-task run and, in the demo, once lost a result for good, leaving the runner busy forever.)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, QTimer, Signal

log = logging.getLogger(__name__)
POLL_MS = 10  # how late a result may reach the window at most; a wake-up per 10 ms is nothing to the CPU


class TaskRunner(QObject):
    """Signals:
    finished_one: emitted on the GUI thread after a task's callback ran (tests wait on it).
    """

    finished_one = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lanes = {
            "db": ThreadPoolExecutor(max_workers=1, thread_name_prefix="db"),
            "net": ThreadPoolExecutor(max_workers=4, thread_name_prefix="net"),
            "print": ThreadPoolExecutor(max_workers=1, thread_name_prefix="print"),  # one page after another
        }
        self._lock = threading.Lock()
        self._ready: list[tuple[Callable[[], None], bool]] = []  # (call, is a task's result)
        self._in_flight = 0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._drain)

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
        if QThread.currentThread() is not self.thread():
            raise RuntimeError("TaskRunner.run is for the GUI thread; a worker hands results back with post()")
        self._in_flight += 1
        self._timer.start()
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
                self._ready.append((deliver, True))

        future.add_done_callback(done)

    def post(self, call: Callable[[], None], owner: QObject | None = None) -> None:
        """From a worker, while its task runs: have `call` run on the GUI thread (progress for a bar). Touches no Qt
        object, so any thread may call it."""

        def deliver() -> None:
            if owner is None or shiboken6.isValid(owner):
                call()

        with self._lock:
            self._ready.append((deliver, False))

    def _drain(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, []
        for i, (deliver, is_result) in enumerate(ready):
            try:
                deliver()
            except BaseException:
                with self._lock:  # the rest still arrive, on the next tick
                    self._ready[:0] = ready[i + 1 :]
                raise
            finally:
                if is_result:
                    self.finished_one.emit()
        with self._lock:
            if self._in_flight == 0 and not self._ready:
                self._timer.stop()

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
