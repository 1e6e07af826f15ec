"""What the counter's status bar and sync page show, read from the ledger in one go off the GUI thread.

The window never queries the ledger itself: an operation reports what it changed, and the views ask for a fresh
`DeskState` on the database lane, then only paint it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from forms.backlog import BacklogState
from forms.followups import FollowUp
from sync.ledger import Ledger, OutboxView, SavedCase

RECENT_CASES = 30  # the sync page lists this many recent cases when no search is typed


@dataclass(frozen=True)
class DeskState:
    counts: dict[str, int]  # pending / sent / attention (set-aside entries plus open follow-ups) / withdrawn
    last_delivery: datetime | None
    queue: list[OutboxView]  # entries a person may act on: attention first in queue order, then pending
    follow_ups: list[FollowUp]
    cases: list[SavedCase]  # the search's hits, or the recent cases
    query: str
    backlog: BacklogState
    clock_skew_s: int | None
    damage: str | None
    standing: tuple[str, ...]
    closed_days: frozenset[date]  # this device's signed days

    @property
    def attention(self) -> int:
        return self.counts["attention"]


def read_desk(ledger: Ledger, backlog: BacklogState, query: str = "") -> DeskState:
    """One consistent look at the queue, the follow-ups and the cases (a search when `query` is given)."""
    counts = ledger.outbox.counts()
    follow_ups = ledger.followups.open()
    counts["attention"] += len(follow_ups)  # one 需處理 count, whatever the kind
    query = query.strip()
    return DeskState(
        counts=counts,
        last_delivery=ledger.outbox.last_delivery(),
        queue=ledger.outbox.items(("attention", "pending")),
        follow_ups=follow_ups,
        cases=ledger.cases.search(query) if query else ledger.cases.recent(RECENT_CASES),
        query=query,
        backlog=backlog,
        clock_skew_s=ledger.settings.clock_skew(),
        damage=ledger.damage,
        standing=tuple(ledger.numbering.standing),
        closed_days=frozenset(ledger.books.closed_days()),
    )
