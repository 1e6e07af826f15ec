"""The counter's view of its ledger (queue, follow-ups, cases, warnings), re-read off the GUI thread whenever an
operation reports a change that shows there; the status bar and the sync page paint what it hands out."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.operations import Change, Operations
from sync.services.desk import DeskState

log = logging.getLogger(__name__)
RETRIES, RETRY_MS = 3, 250
ReadDesk = Callable[[str], DeskState]  # the search typed on the sync page -> the state to show


class DeskModel(QObject):
    """Signals:
    loaded(DeskState): a fresh read, on the GUI thread.
    failed(BaseException): the ledger could not be read (the window says so where the warnings are).
    """

    loaded = Signal(object)
    failed = Signal(object)

    def __init__(self, ops: Operations, read: ReadDesk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._read = read
        self._query = ""
        self._reading = False
        self._stale = False
        self._retries = 0
        self.state: DeskState | None = None
        ops.did_change.connect(self._changed)

    def _changed(self, changes: Change) -> None:
        if changes & Change.desk():
            self.reload()

    def search(self, query: str) -> None:
        self._query = query.strip()
        self.reload()

    def reload(self) -> None:
        """Read again; changes reported while a read is under way are read once more after it (never lost, never
        a pile of reads)."""
        if self._reading:
            self._stale = True
            return
        self._reading, self._stale = True, False
        query = self._query
        self._ops.run("db", lambda: self._read(query), Change.NONE, self._done, self._failed, owner=self)

    def _done(self, state: DeskState) -> None:
        self._reading, self._retries = False, 0
        self.state = state
        self.loaded.emit(state)
        if self._stale:
            self.reload()

    def _failed(self, exc: BaseException) -> None:
        self._reading = False
        log.warning("the desk could not be read: %s", getattr(exc, "code", type(exc).__name__))
        self.failed.emit(exc)
        if self._stale:
            self.reload()
        elif self._retries < RETRIES:
            # A read that met a writer's lock tries again shortly: the last change must reach the screen.
            self._retries += 1
            QTimer.singleShot(RETRY_MS, self.reload)
