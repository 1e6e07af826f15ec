"""Numbers never issued twice: at each sync the ledger tells the city what it has issued and learns what the city
holds of the device. A ledger behind (restored from an older copy, cut short by a lost WAL, or behind its own
marks file) pulls back every case and book record the city holds that it lacks, then moves its counters past every
number ever issued; until then it issues none. A ledger that is not the one the city knows for the device (a copied
profile) issues none until a supervisor rebuilds it (`counterdesk recover`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from sync.city.client import CityClient
from sync.ledger import Ledger, LookupAudit
from sync.ledger.records import seq_of
from sync.ledger.restore import Restored
from sync.protocol.errors import SyncError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatchUp:
    """What a check of the numbers found and did."""

    verdict: str  # what the city found at first: current / behind / other_ledger
    standing: tuple[str, ...]  # afterwards: why no number may be issued (empty: they may)
    restored: Restored = field(default_factory=Restored)
    lost: tuple[int, int] = (0, 0)  # receipt sequences issued but held neither here nor at the city

    @property
    def may_issue(self) -> bool:
        return not self.standing


def check_numbers(ledger: Ledger, client: CityClient, takeover: bool = False) -> CatchUp:
    """Report this ledger's marks; when it is behind, pull back and move past. Raises SyncError when the city
    cannot be asked (then nothing changed and the ledger's standing is what it was)."""
    city = client.report_marks(ledger.numbering.report(takeover))
    standing = ledger.numbering.note_city(city)
    if not standing or city.verdict == "other_ledger":
        return CatchUp(city.verdict, standing)
    restored, lost = pull_back(ledger, client)
    again = client.report_marks(ledger.numbering.report(takeover))
    return CatchUp(city.verdict, ledger.numbering.note_city(again), restored, lost)


def pull_back(ledger: Ledger, client: CityClient) -> tuple[Restored, tuple[int, int]]:
    """Everything the city holds of this device from the ledger's first missing or unconfirmed receipt on, then its
    signed days and corrections from the earliest day put back; then the counters past every number issued."""
    done = Restored()
    start = ledger.restore.first_to_compare()
    while True:
        page = client.held_cases(start)
        done.add(ledger.restore.held_cases(page.cases))
        if not page.more or not page.cases:
            break
        start = seq_of(page.cases[-1].case.receipt_number) + 1
    if done.first_day is not None:
        offset = 0
        while True:
            records = client.held_records(done.first_day, offset)
            done.records += ledger.restore.records(records.records)
            if not records.more or not records.records:
                break
            offset += len(records.records)
    lost = ledger.restore.counters_past(ledger.numbering.known())
    if lost != (0, 0):
        prefix = f"{ledger.device.device_id}-R"
        detail = f"收據 {prefix}{lost[0]:07d}–{prefix}{lost[1]:07d} 已發出但未送達市府即遺失（帳本還原或損毀）"
        log.warning("numbers lost before they reached the city: %s", detail)
        ledger.audit.record(
            LookupAudit(uuid.uuid4(), "ledger", "numbers-lost", "", "counterdesk", "noted", detail=detail)
        )
    if done.clashes:
        log.warning("numbers held here under other cases, left at the city: %s", ", ".join(done.clashes[:10]))
    ledger.numbering.recheck()
    log.info(
        "pulled back %d case(s), %d record(s) from the city; %d already here, %d clashes",
        done.cases,
        done.records,
        done.already,
        len(done.clashes),
    )
    return done, lost


def check_numbers_quietly(ledger: Ledger, client: CityClient) -> CatchUp | None:
    """The check before a push: a city that cannot be asked now (offline, an older server) leaves the ledger's
    standing as it is and the push goes on (cases already taken must still reach the city)."""
    try:
        return check_numbers(ledger, client)
    except SyncError as exc:
        log.info("numbers not checked with the city: %s", exc.code)
        return None


def numbers_text(found: CatchUp) -> str:
    """What the clerk is told after a pull-back (zh-TW; the figures, not adjectives)."""
    parts = []
    if found.restored.cases:
        parts.append(f"已自市府取回本機 {found.restored.cases} 件案件")
    if found.lost != (0, 0):
        first, last = found.lost
        parts.append(f"收據第 {first}–{last} 號已發出但未送達市府（請洽持有收據的民眾補件）")
    if found.restored.clashes:
        parts.append(f"{len(found.restored.clashes)} 件號碼重複，列入需處理")
    return "帳本比對：" + "；".join(parts) if parts else ""
