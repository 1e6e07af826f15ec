"""Compare what the device delivered with what the server holds (per office day), and repair the difference.

A server restored from a backup has silently lost what arrived after the backup (cht-core #8093 class): cases the
device thinks delivered go back in the queue, with the same key and body, so nothing is lost and nothing doubles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sync.city.client import CityClient
from sync.ledger import Ledger
from sync.protocol import wire

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reconciliation:
    day: date
    held: int  # cases the server holds from this device that day
    resent: tuple[str, ...]  # delivered here, missing there: queued again
    differing: tuple[str, ...]  # held there with other content: set aside for a person
    unknown_there: int  # the server holds cases from this device the ledger does not know


def reconcile(ledger: Ledger, client: CityClient, day: date) -> Reconciliation:
    """Raises SyncError when the server cannot be asked (nothing is changed then)."""
    answer = client.digest(wire.DigestRequest(day=day))
    there = {str(i.case_uuid): i.content_hash for i in answer.items}
    here = ledger.outbox.sent_cases(day)
    missing = sorted(k for k in here if k not in there)
    differing = sorted(k for k, h in here.items() if k in there and there[k] != h)
    if missing:
        log.warning("server lacks %d delivered case(s) of %s: queued again", len(missing), day)
        ledger.outbox.resend(missing, "伺服器未持有（可能自備份還原），已重新排入上傳")
    if differing:
        ledger.outbox.set_aside(differing, "伺服器持有的內容與本機不同，需人工核對")
    return Reconciliation(day, len(there), tuple(missing), tuple(differing), len(set(there) - set(here)))
