"""Operations: the one way the window changes anything in the core.

An operation runs its work off the GUI thread and, when it succeeded, announces what it changed (`Change` flags);
views that show that part refresh themselves (the pattern of Anki's `CollectionOp` and its `operation_did_execute`
hook). Nothing in the window calls `refresh()` on another view by hand, and what should go to the city is pushed
because an operation said so (`Change.TO_SEND`), not because a handler remembered to.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.tasks import TaskRunner

T = TypeVar("T")
RunFor = Callable[..., None]  # (lane, work, on_success, on_failure, changes=…, changes_on_failure=…)


class Change(enum.Flag):
    NONE = 0
    CASES = enum.auto()  # a case was saved, corrected, voided or re-verified
    QUEUE = enum.auto()  # the outbox moved: delivered, set aside, resent, withdrawn
    FOLLOW_UPS = enum.auto()  # a follow-up was opened or handled
    STATUSES = enum.auto()  # the city's status steps for cases
    DAY = enum.auto()  # a day was signed or corrected
    LEDGER = enum.auto()  # the ledger's standing: damage found, numbers caught up, clock skew measured
    TO_SEND = enum.auto()  # something new waits for the city: push it now

    @classmethod
    def desk(cls) -> Change:
        """What the status bar and the sync page show."""
        return cls.CASES | cls.QUEUE | cls.FOLLOW_UPS | cls.STATUSES | cls.DAY | cls.LEDGER


class Operations(QObject):
    """Signals:
    did_change(Change): emitted on the GUI thread after an operation that changed something succeeded.
    """

    did_change = Signal(object)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner

    def run(
        self,
        lane: str,
        work: Callable[[], T],
        changes: Change | Callable[[T], Change],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
        changes_on_failure: Change = Change.NONE,
    ) -> None:
        """`work` on a worker of `lane`; then `on_success(result)` on the GUI thread and the announcement of
        `changes` (a flag, or a function of the result). A failure announces `changes_on_failure` only: most
        refusals change nothing, a push cut off half-way has still moved some of the queue."""

        def succeeded(result: Any) -> None:
            try:
                if on_success is not None:
                    on_success(result)
            finally:
                self.announce(changes(result) if callable(changes) else changes)

        def failed(exc: BaseException) -> None:
            try:
                if on_failure is not None:
                    on_failure(exc)
            finally:
                self.announce(changes_on_failure)

        self.runner.run(lane, work, succeeded, failed, owner=owner)

    def for_owner(self, owner: QObject) -> RunFor:
        """`run` in the callback-first order views use, its results dropped once `owner` is gone."""

        def run(
            lane: str,
            work: Callable[[], Any],
            on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None],
            changes: Change | Callable[[Any], Change] = Change.NONE,
            changes_on_failure: Change = Change.NONE,
        ) -> None:
            self.run(lane, work, changes, on_success, on_failure, owner, changes_on_failure)

        return run

    def announce(self, changes: Change) -> None:
        if changes:
            self.did_change.emit(changes)
