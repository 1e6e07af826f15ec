"""The window changes the core through operations that report what changed; views refresh themselves from a read
made off the GUI thread."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.desk import DeskModel
from desktop.main_window import MainWindow
from desktop.operations import Change, Operations
from desktop.tasks import TaskRunner
from sync.ledger.core import LedgerCore
from tests.desktop.conftest import accept, fill, settle, verify
from tests.desktop.test_window import PHONE, choose


@pytest.fixture
def ops(qtbot: QtBot) -> Iterator[Operations]:
    runner = TaskRunner()
    yield Operations(runner)
    qtbot.waitUntil(lambda: not runner.busy)
    runner.shutdown()


def heard(ops: Operations) -> list[Change]:
    said: list[Change] = []
    ops.did_change.connect(said.append)
    return said


def test_an_operation_announces_what_it_changed_after_its_callback(qtbot: QtBot, ops: Operations) -> None:
    said, order = heard(ops), []
    ops.did_change.connect(lambda _c: order.append("announced"))
    ops.run("db", lambda: 3, lambda n: Change.CASES if n == 3 else Change.NONE, lambda n: order.append(f"ok {n}"))
    qtbot.waitUntil(lambda: bool(said))
    assert said == [Change.CASES] and order == ["ok 3", "announced"]


def test_a_failed_operation_announces_only_what_it_declares_for_failure(qtbot: QtBot, ops: Operations) -> None:
    said, failures = heard(ops), []

    def boom() -> None:
        raise RuntimeError("refused")

    ops.run("db", boom, Change.CASES, on_failure=failures.append)
    ops.run("db", boom, Change.CASES, on_failure=failures.append, changes_on_failure=Change.QUEUE)
    qtbot.waitUntil(lambda: len(failures) == 2 and not ops.runner.busy)
    assert said == [Change.QUEUE]


def test_nothing_is_announced_for_an_operation_that_changed_nothing(qtbot: QtBot, ops: Operations) -> None:
    said, done = heard(ops), []
    ops.run("db", lambda: None, Change.NONE, done.append)
    qtbot.waitUntil(lambda: bool(done) and not ops.runner.busy)
    assert said == []


def test_changes_during_a_read_are_read_once_more_not_lost_nor_piled_up(qtbot: QtBot, ops: Operations) -> None:
    gate, reads = threading.Event(), []

    def read(query: str) -> object:
        reads.append(query)
        gate.wait(5)
        return len(reads)

    desk = DeskModel(ops, read)  # type: ignore[arg-type]  # a stand-in for the ledger's state
    shown: list[object] = []
    desk.loaded.connect(shown.append)
    desk.reload()
    for _ in range(5):  # five operations finish while the first read is still under way
        ops.announce(Change.QUEUE)
    ops.announce(Change.TO_SEND)  # not something the desk shows
    gate.set()
    qtbot.waitUntil(lambda: len(shown) == 2 and not ops.runner.busy)
    assert reads == ["", ""] and shown == [1, 2]


@pytest.fixture
def gui_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read of the ledger made on the GUI thread, named by where it entered sync/ledger/ and who called."""
    found: list[str] = []
    original = LedgerCore.read

    @contextmanager
    def read(self: LedgerCore) -> Iterator[object]:
        if threading.current_thread() is threading.main_thread():
            stack = traceback.extract_stack()[:-2]
            outside = max(i for i, f in enumerate(stack) if "/sync/ledger/" not in f.filename)
            entry, caller = stack[outside + 1], stack[outside]
            found.append(f"{Path(entry.filename).name}:{entry.name} from {Path(caller.filename).name}:{caller.name}")
        with original(self) as session:
            yield session

    monkeypatch.setattr(LedgerCore, "read", read)
    return found


def test_the_window_never_reads_cases_or_the_queue_on_the_gui_thread(
    qtbot: QtBot,
    open_window: Callable[[], MainWindow],
    city: EmbeddedServer,
    senior: Resident,
    gui_reads: list[str],
) -> None:
    """Start, an intake online and one offline, a push, the sync page and a search: the ledger is read by workers.
    What the window still reads itself are its declared settings (printer, paper), a key-value row each."""
    window = open_window()
    for online in (True, False):
        if not online:
            city.stop()
        choose(qtbot, window, "SW-05")
        fill(qtbot, window, senior, PHONE)
        verify(qtbot, window)
        accept(qtbot, window)
        qtbot.keyClick(window.intake.next_citizen_button, Qt.Key.Key_Return)
        settle(qtbot, window)
    city.start()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "待上傳 0 件" in window.outbox_label.text(), timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_F8)
    window.sync_panel.search_edit.setText(senior.name)
    qtbot.keyClick(window.sync_panel.search_edit, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert window.sync_panel.cases_table.rowCount() == 2
    # Two cases and the offline one's re-check, sent after the look-ups ran again.
    assert "已送達 3 件" in window.sync_panel.counts_label.text()
    assert gui_reads and [r for r in gui_reads if not r.startswith("settings.py:get ")] == []
