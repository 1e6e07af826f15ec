"""`Ledger`: the local case ledger on one SQLite file, a facade over one manager per area (the shape of Anki's
`Collection` holding its `DeckManager`, `TagManager` …): `ledger.cases.accept(draft)`, `ledger.outbox.due(…)`,
`ledger.books.sign_day(…)`. The managers share the core (sessions, sealing, counters, damage) and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from forms.clock import taipei_now
from sync.ledger.audit import Audit
from sync.ledger.books import Books
from sync.ledger.cases import Cases
from sync.ledger.core import LedgerCore
from sync.ledger.followups import FollowUps
from sync.ledger.numbering import Numbering
from sync.ledger.outbox import Outbox
from sync.ledger.records import Device
from sync.ledger.reference import Reference
from sync.ledger.restore import Restore
from sync.ledger.reviews import Reviews
from sync.ledger.settings import Settings
from sync.ledger.store.integrity import Probe


class Ledger:
    """The ledger of one device.

    Attributes:
        core: what the managers share (tests and tools reach sealing and the engine through it).
        cases: accepting, reading and finding cases; the city's statuses.
        outbox: what still has to reach the city.
        audit: the hash-chained audit trail of look-ups.
        books: voids, the signed day close, corrections.
        reviews: re-verification runs.
        settings: device settings, catalog entries, clock skew, backlog leave.
        numbering: whether the ledger may issue numbers (its high-water marks, the city's).
        restore: putting back what the city holds of the device.
        reference: the city's calendar and amounts, declared closures, due dates they moved.

    Raises (on opening):
        StoreError: ledger_damaged (nothing was written to the file), db_too_new, store_failed.
    """

    def __init__(self, path: Path, device: Device, master: bytes, now: Callable[[], datetime] = taipei_now) -> None:
        """`master` is the device's secret from the keyring; the ID-hash key and the field key derive from it."""
        self.core = LedgerCore(path, device, master, now)
        self.audit = Audit(self.core)
        self.cases = Cases(self.core)
        self.outbox = Outbox(self.core)
        self.followups = FollowUps(self.core, self.cases)
        self.books = Books(self.core, self.audit)
        self.reviews = Reviews(self.core)
        self.settings = Settings(self.core, self.audit)
        self.numbering = Numbering(self.core, self.audit)
        self.restore = Restore(self.core)
        self.reference = Reference(self.core, self.audit)
        self.numbering.check_at_open()

    @property
    def path(self) -> Path:
        return self.core.path

    @property
    def device(self) -> Device:
        return self.core.device

    @property
    def backup_path(self) -> str | None:
        """The copy made before the last schema upgrade, if one is kept."""
        return self.core.backup_path

    @property
    def health(self) -> Probe:
        return self.core.health

    @property
    def ledger_id(self) -> str:
        return self.core.ledger_id

    @property
    def damage(self) -> str | None:
        """Where damage was found while reading (None: none seen); writes are refused once it is set."""
        return self.core.damage

    def check_integrity(self) -> Probe:
        """The full check (at the day close and when the app is idle): SQLite's integrity check, the whole audit
        chain, every text of every row, and every case row against its sealed copy. Damage stops writes."""
        found = self.core.check_integrity()
        if found.file_damage:
            return found
        differ = self.cases.verify_rows()
        if not differ:
            return found
        self.core.damage = f"資料列與封存副本不符（{differ[0].split(':')[0]}）"
        return replace(found, state="damaged", problems=tuple(differ))

    def check_may_issue(self) -> None:
        """Raises StoreError (ledger_damaged / ledger_behind / ledger_other) when no number may be issued now."""
        self.core.check_may_issue()

    def id_digest(self, national_id: str) -> str:
        return self.core.id_digest(national_id)

    def name_digest(self, name: str) -> str:
        return self.core.name_digest(name)

    def close(self) -> None:
        self.core.close()
