"""The ledger's core, which every manager works through: one SQLite file, opened only after it passed its check;
sessions for reads and writes; the sealing of personal fields; keyed digests of IDs and names; named counters; the
high-water marks beside the file; and the damage or standing that stops it issuing numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from forms.ids import id_digest
from sync.ledger.crypto import PREFIX, CipherError, FieldCipher, derive
from sync.ledger.highwater import MarksFile
from sync.ledger.records import Device
from sync.ledger.store import integrity, migrate
from sync.ledger.store.engine import make_engine, make_session_factory
from sync.ledger.store.integrity import LEDGER_ID, DamagedValue
from sync.ledger.store.tables import CaseRow, CounterRow, OutboxRow, SettingRow
from sync.protocol.errors import StoreError

log = logging.getLogger(__name__)

SEALED_MARK = "plaintext_sealed"  # a counter row: the one-time sealing pass of older ledgers has run


class LedgerCore:
    """One ledger file and what every area of the ledger shares.

    Attributes:
        path: the SQLite file; its high-water marks are kept beside it (`ledger.marks`).
        device: the device whose numbers this ledger issues.
        now: the one clock of the ledger (tests pin it).
        health: what the check at open found.
        marks: the high-water marks file.
        ledger_id: which ledger file this is (a copy keeps it, a rebuilt ledger gets its own).
        standing: why the ledger may not issue numbers now (empty: it may); set by the numbering manager.
    """

    def __init__(self, path: Path, device: Device, master: bytes, now: Callable[[], datetime]) -> None:
        self.path = path
        self.device = device
        self.now = now
        self._pepper = derive(master, "counterdesk id-digest v1")
        self._name_pepper = derive(master, "counterdesk name-digest v1")
        self._cipher = FieldCipher(derive(master, "counterdesk field-seal v1"))
        self.damage: str | None = None  # where damage was found: the ledger then takes no more writes
        self.standing: tuple[str, ...] = ()
        # Checked over a read-only connection before anything writes to the file (migrations, sealing passes).
        self.health = integrity.probe(path)
        if self.health.state == "damaged":
            log.error("ledger %s is damaged: %s", path.name, "; ".join(self.health.problems))
            raise StoreError("ledger_damaged", detail=integrity.in_words(self.health.problems[0]))
        self.marks = MarksFile(path.with_suffix(".marks"))
        try:
            self.engine = make_engine(path)
            self.backup_path = migrate.upgrade(self.engine, path)
        except OperationalError as exc:
            raise StoreError("store_failed", detail=str(exc.orig)) from exc
        self.sessions = make_session_factory(self.engine)
        if self._seal_plaintext_rows():
            self._forget_plaintext()
        self._fill_name_digests()
        self.ledger_id = self._ledger_id()

    def close(self) -> None:
        self.engine.dispose()

    # -- sessions ------------------------------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One BEGIN IMMEDIATE … COMMIT; any database failure becomes StoreError and nothing is kept. A ledger in
        which damage was found is never written to."""
        if self.damage is not None:
            raise StoreError("ledger_damaged", detail=self.damage)
        try:
            with self.sessions.begin() as session:
                yield session
        except StoreError:
            raise
        except DamagedValue as exc:
            raise self.unreadable(exc) from exc
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", exc))
            if "day_closed" in detail:  # revision 0007's lock on a signed day
                raise StoreError("day_closed") from exc
            log.error("ledger write failed: %s", detail)
            raise StoreError("store_failed", detail=detail) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read. Text that does not decode, a malformed page or a value that does not convert becomes
        StoreError(ledger_unreadable) naming where, never a raw exception; the ledger then takes no more writes."""
        try:
            with self.sessions() as session:
                yield session
        except (SQLAlchemyError, DamagedValue, ValueError, TypeError) as exc:
            raise self.unreadable(exc) from exc

    @contextmanager
    def decoding(self, table: str, key: object) -> Iterator[None]:
        """Turning one row into a domain value: what does not convert names its row."""
        try:
            yield
        except StoreError:
            raise
        except (DamagedValue, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise self.unreadable(exc, f"{table} {key}") from exc

    def unreadable(self, exc: BaseException, where: str | None = None) -> StoreError:
        """The error for damage found while reading; from now on the ledger takes no writes."""
        where = where or integrity.locate_damage(self.path) or type(exc).__name__
        self.damage = where
        log.error("ledger read failed at %s: %s", where, exc)
        return StoreError("ledger_unreadable", where=where)

    def check_integrity(self) -> integrity.Probe:
        """The full check (at the day close and when the app is idle): SQLite's integrity_check, the whole audit
        chain and every text of every row. A damaged file stops writes; a receipt gap or a broken audit chain in a
        sound file is what the day close reports, with the supervisor's note, and the window keeps in sight."""
        found = integrity.probe(self.path, full=True)
        if found.state == "damaged":
            log.error("ledger %s: %s", self.path.name, "; ".join(found.problems))
        if found.file_damage:
            self.damage = integrity.in_words(found.file_damage[0])
        return found

    def check_may_issue(self) -> None:
        """Raises StoreError when this ledger must not issue a case or receipt number now: damaged, behind numbers
        known to have been issued, or not the ledger the city knows for this device."""
        if self.damage is not None:
            raise StoreError("ledger_damaged", detail=self.damage)
        if self.standing:
            code = "ledger_other" if self.standing[0] == "other_ledger" else "ledger_behind"
            raise StoreError(code, detail=self.standing[0])

    # -- counters ------------------------------------------------------------------------------------------------

    @staticmethod
    def next(session: Session, counter: str) -> int:
        """Advance a named counter inside the caller's transaction and return its new value."""
        row = session.get(CounterRow, counter)
        if row is None:
            row = CounterRow(name=counter, value=0)
            session.add(row)
        row.value += 1
        return row.value

    @staticmethod
    def raise_counter(session: Session, counter: str, value: int) -> None:
        """Move a named counter up to `value` (never down)."""
        row = session.get(CounterRow, counter)
        if row is None:
            session.add(CounterRow(name=counter, value=value))
        elif row.value < value:
            row.value = value

    # -- sealing and digests -------------------------------------------------------------------------------------

    def seal(self, value: str, column: str, key: UUID | str) -> str:
        return self._cipher.seal(value, f"{column}:{key}")

    def open(self, value: str, column: str, key: UUID | str) -> str:
        """Raises StoreError(store_sealed) when a value does not open here (wrong key, moved or altered row); the
        ledger then takes no more writes."""
        try:
            return self._cipher.open(value, f"{column}:{key}")
        except CipherError as exc:
            self.damage = f"{column} {key}"
            log.error("a sealed value does not open: %s of %s", column, key)
            raise StoreError("store_sealed", column=column, row=str(key)) from exc

    def id_digest(self, national_id: str) -> str:
        return id_digest(national_id, self._pepper)

    def name_digest(self, name: str) -> str:
        """Keyed hash of a name as typed in any width or spacing (王 小明 = 王小明): exact search, name sealed."""
        folded = "".join(unicodedata.normalize("NFKC", name).split())
        return hmac.new(self._name_pepper, folded.encode("utf-8"), hashlib.sha256).hexdigest()

    # -- what opening a ledger does once -----------------------------------------------------------------------

    def _ledger_id(self) -> str:
        with self.write() as s:
            row = s.get(SettingRow, LEDGER_ID)
            if row is None:
                row = SettingRow(key=LEDGER_ID, value=str(uuid4()))
                s.add(row)
            return row.value

    def _forget_plaintext(self) -> None:
        """After sealing an older ledger: rewrite the file so no old page keeps the clear text, and remove the
        pre-upgrade copy, which holds it (the upgrade has succeeded by now)."""
        with self.engine.connect() as conn:
            dbapi = conn.connection.driver_connection
            assert dbapi is not None
            dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            dbapi.execute("VACUUM")
        if self.backup_path:
            backup = Path(self.backup_path)
            backup.write_bytes(b"\0" * backup.stat().st_size)
            backup.unlink()
            log.info("pre-upgrade copy removed: it held personal data in the clear")
            self.backup_path = None

    def _seal_plaintext_rows(self) -> int:
        """Seal what an older version stored in the clear (revision 0004 made the columns ready for it).
        Returns how many rows were sealed."""
        sealed = 0
        columns = ("national_id", "applicant_name", "birth_date", "fields_json")
        unsealed = f"{PREFIX}%"
        with self.write() as s:
            # Once a pass found everything sealed, nothing can be in the clear again (every write seals): skip
            # the scan, which reads every row of a large ledger at each start.
            done = s.get(CounterRow, SEALED_MARK)
            if done is not None:
                return 0
            s.add(CounterRow(name=SEALED_MARK, value=1))
            plain_cases = select(CaseRow).where(or_(*(getattr(CaseRow, c).not_like(unsealed) for c in columns)))
            for row in s.scalars(plain_cases):
                sealed += 1
                for column in columns:
                    value = getattr(row, column)
                    if not FieldCipher.is_sealed(value):
                        setattr(row, column, self.seal(value, f"cases.{column}", row.case_uuid))
            for out in s.scalars(select(OutboxRow).where(OutboxRow.payload_json.not_like(unsealed))):
                sealed += 1
                out.payload_json = self.seal(out.payload_json, "outbox.payload_json", out.idempotency_key)
        return sealed

    def _fill_name_digests(self) -> None:
        """Cases from before revision 0009 get their name hash (the migration cannot: it has no key)."""
        while True:
            with self.write() as s:
                rows = s.execute(
                    select(CaseRow.case_uuid, CaseRow.applicant_name).where(CaseRow.name_digest.is_(None)).limit(1000)
                ).all()
                for key, sealed in rows:
                    digest = self.name_digest(self.open(sealed, "cases.applicant_name", key))
                    s.execute(update(CaseRow).where(CaseRow.case_uuid == key).values(name_digest=digest))
            if len(rows) < 1000:
                return
