"""Pull-back: the city's status changes for this office's cases, since a cursor kept in the ledger."""

from __future__ import annotations

from sync.city.client import CityClient
from sync.ledger import Ledger


def pull_statuses(ledger: Ledger, client: CityClient, rounds: int = 20) -> int:
    """Fetch and apply status changes until none are left (bounded). Returns how many local cases changed.

    Raises SyncError when the server cannot be reached; the cursor then stays where it was."""
    changed = 0
    for _ in range(rounds):
        answer = client.status_changes(ledger.cases.status_cursor())
        if not answer.changes:
            break
        changed += ledger.cases.apply_status_changes(answer.changes, answer.cursor)
    return changed
