"""The Qt binding itself, and the task runner's hand-over from worker threads, under load.

PySide6 6.12.0 on CPython 3.11 released a reference to None at every call of a void method, so a window aborted
("deallocating None") after some thousands of setText(); and a result handed over by a signal from a worker thread was
once lost for good. These tests fail on such a binding or such a runner.
"""

from __future__ import annotations

import sys
import threading
import time

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from desktop.tasks import TaskRunner, wait_idle

CALLS = 20_000


def test_void_calls_leave_the_reference_count_of_none_alone(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(CALLS):
        label.setText("x")
        if i % 100 == 0:
            QCoreApplication.processEvents()
    # Other objects come and go meanwhile; a broken binding loses one reference per call (20,000).
    assert abs(sys.getrefcount(None) - before) < CALLS // 10


def test_three_thousand_results_from_worker_threads_all_arrive_once_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    gui = threading.get_ident()
    arrived: list[int] = []
    progress: list[int] = []

    def work(n: int) -> int:
        time.sleep(0.0005 * (n % 3))
        runner.post(lambda: progress.append(n))  # a worker's progress report
        return n

    def ok(n: int) -> None:
        assert threading.get_ident() == gui
        arrived.append(n)

    for n in range(3000):
        runner.run("net" if n % 2 else "db", lambda n=n: work(n), ok, lambda exc: arrived.append(-1))
    wait_idle(runner, timeout_s=60)
    runner.shutdown()
    assert sorted(arrived) == list(range(3000))
    assert sorted(progress) == list(range(3000))


def test_a_failing_callback_does_not_lose_the_results_behind_it(qtbot: QtBot) -> None:
    runner = TaskRunner()
    arrived: list[int] = []
    barrier = threading.Event()

    def ok(n: int) -> None:
        if n == 0:
            raise ValueError("a bug in a view")
        arrived.append(n)

    for n in range(5):
        runner.run("net", lambda n=n: barrier.wait(5) and n, ok, lambda exc: None)
    barrier.set()
    with qtbot.captureExceptions() as raised:
        wait_idle(runner, timeout_s=10)
    runner.shutdown()
    assert [type(e[1]) for e in raised] == [ValueError]
    assert sorted(arrived) == [1, 2, 3, 4]
