"""The ledger API: record look-ups, accept a case (case + receipt + outbox in ONE transaction), read it back.

Repository functions return plain domain values; callers never see ORM rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from forms.clock import taipei_now
from forms.errors import DomainError
from forms.ids import id_digest, mask_id, parse_id
from forms.rocdate import format_roc_compact
from forms.types import Applicant, Decision, Office, Outcome, RuleResult, ServiceType
from sync import wire
from sync.audit_chain import FIELDS, GENESIS, first_bad, link
from sync.crypto import PREFIX, CipherError, FieldCipher, derive
from sync.daybook import LAST_RECEIPT, DayBook
from sync.errors import StoreError
from sync.reviewbook import ReviewBook
from sync.store import integrity, migrate
from sync.store.engine import make_engine, make_session_factory
from sync.store.integrity import LEDGER_ID, DamagedValue
from sync.store.tables import (
    CaseRow,
    CatalogEntryRow,
    CorrectionRow,
    CounterRow,
    LookupRow,
    OutboxRow,
    ReceiptRow,
    SettingRow,
    VoidRow,
)

log = logging.getLogger(__name__)

STATUS_ACCEPTED = "已受理"
STATUS_PENDING_VERIFICATION = "待查驗"
STATUS_VERIFIED = "已補查"
SEALED_MARK = "plaintext_sealed"  # a counter row: the one-time sealing pass of older ledgers has run
RECEIPT_NUMBER = re.compile(r"[A-Za-z0-9]{1,16}-R[0-9]{7}")  # what `accept` writes: <device>-R<seq>
RECORD_NAMES = {"day_close": "日結簽核", "correction": "更正登錄", "void": "收據作廢"}


@dataclass(frozen=True)
class Device:
    """Where and by whom cases are taken."""

    office: Office
    device_id: str  # assigned by the city at enrolment, e.g. D0007; part of every case and receipt number


@dataclass(frozen=True)
class CaseDraft:
    """A case the clerk is about to accept."""

    case_uuid: UUID
    service: ServiceType
    applicant: Applicant
    decision: Decision
    clerk: str
    payment_method: str = "cash"
    fields: dict[str, str] = field(default_factory=dict)
    due_date: date | None = None
    documents_owed: tuple[str, ...] = ()
    override: wire.Override | None = None
    supersedes: UUID | None = None  # a set-aside case this one corrects


@dataclass(frozen=True)
class SavedCase:
    """A case as the ledger holds it (what receipts and lists are made from)."""

    case_uuid: UUID
    case_number: str
    receipt_number: str
    service_code: str
    id_masked: str
    applicant_name: str
    received_at: datetime
    business_date: date
    clerk: str
    fee: int
    payment_method: str
    decision: Outcome
    reasons: tuple[RuleResult, ...]
    status: str
    sync_state: str
    fields: dict[str, str]
    due_date: date | None
    documents_owed: tuple[str, ...]
    override: wire.Override | None
    server_status: str | None = None
    server_note: str | None = None
    voided: bool = False  # the receipt was voided (or voided by a correction of its signed day)


@dataclass(frozen=True)
class LookupAudit:
    """One personal-data look-up (or refused / failed attempt) for the audit trail."""

    case_uuid: UUID
    purpose: str
    kind: str
    national_id: str
    clerk: str
    outcome: str  # hit / miss / error / refused
    server_lookup_id: UUID | None = None
    detail: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    key: str
    payload: str
    attempts: int
    kind: str = "case"  # case / update


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest: datetime | None


@dataclass(frozen=True)
class PendingCase:
    """A case waiting for its deferred look-ups."""

    case_uuid: UUID
    case_number: str
    service_code: str
    national_id: str
    name: str
    birth_date: date
    fields: dict[str, str]


@dataclass(frozen=True)
class OutboxView:
    """One queue entry as the sync page shows it."""

    key: str
    case_number: str
    service_code: str
    id_masked: str
    state: str  # pending / sent / attention / withdrawn
    attempts: int
    last_error: str | None
    next_attempt_at: str | None
    kind: str = "case"  # case / update / void / day_close / correction


def _reasons_json(decision: Decision) -> str:
    return json.dumps(
        [{"rule": r.rule, "outcome": r.outcome.value, "code": r.code, "params": r.params} for r in decision.results],
        ensure_ascii=False,
    )


def _reasons_from_json(raw: str) -> tuple[RuleResult, ...]:
    return tuple(RuleResult(d["rule"], Outcome(d["outcome"]), d["code"], d["params"]) for d in json.loads(raw))


class Ledger(DayBook, ReviewBook):
    """The local case ledger on one SQLite file."""

    def __init__(self, path: Path, device: Device, master: bytes, now: Callable[[], datetime] = taipei_now) -> None:
        """`master` is the device's secret from the keyring; the ID-hash key and the field key derive from it."""
        self.path = path
        self.device = device
        self._pepper = derive(master, "counterdesk id-digest v1")
        self._name_pepper = derive(master, "counterdesk name-digest v1")
        self._cipher = FieldCipher(derive(master, "counterdesk field-seal v1"))
        self._now = now
        self._damage: str | None = None  # set when a read finds damage: the ledger then takes no more writes
        # Checked over a read-only connection before anything writes to the file (migrations, sealing passes).
        self.health = integrity.probe(path)
        if self.health.state == "damaged":
            log.error("ledger %s is damaged: %s", path.name, "; ".join(self.health.problems))
            raise StoreError("ledger_damaged", detail=self.health.problems[0][:120])
        try:
            self._engine = make_engine(path)
            self.backup_path = migrate.upgrade(self._engine, path)
        except OperationalError as exc:
            raise StoreError("store_failed", detail=str(exc.orig)) from exc
        self._sessions = make_session_factory(self._engine)
        if self._seal_plaintext_rows():
            self._forget_plaintext()
        self._fill_name_digests()
        self.ledger_id = self._ledger_id()

    def close(self) -> None:
        self._engine.dispose()

    def _seal(self, value: str, column: str, key: UUID | str) -> str:
        return self._cipher.seal(value, f"{column}:{key}")

    def _open(self, value: str, column: str, key: UUID | str) -> str:
        """Raises StoreError(store_sealed) when a value does not open here (wrong key, moved or altered row); the
        ledger then takes no more writes."""
        try:
            return self._cipher.open(value, f"{column}:{key}")
        except CipherError as exc:
            self._damage = f"{column} {key}"
            log.error("a sealed value does not open: %s of %s", column, key)
            raise StoreError("store_sealed", column=column, row=str(key)) from exc

    def _ledger_id(self) -> str:
        """Which ledger file this is: made once with the file; a copy keeps it, a rebuilt ledger gets its own."""
        with self._write() as s:
            row = s.get(SettingRow, LEDGER_ID)
            if row is None:
                row = SettingRow(key=LEDGER_ID, value=str(uuid4()))
                s.add(row)
            return row.value

    def check_integrity(self) -> integrity.Probe:
        """The full check (at the day close and when the app is idle): SQLite's integrity_check, the whole audit
        chain and every text of every row. Damage found stops writes."""
        found = integrity.probe(self.path, full=True)
        if found.state == "damaged":
            self._damage = found.problems[0][:120]
            log.error("ledger %s is damaged: %s", self.path.name, "; ".join(found.problems))
        return found

    @property
    def damage(self) -> str | None:
        """Where damage was found while reading (None: none seen); writes are refused once it is set."""
        return self._damage

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A read. Text that does not decode, a malformed page or a value that does not convert becomes
        StoreError(ledger_unreadable) naming where, never a raw exception; the ledger then takes no more writes."""
        try:
            with self._sessions() as session:
                yield session
        except (SQLAlchemyError, DamagedValue, ValueError, TypeError) as exc:
            raise self._unreadable(exc) from exc

    @contextmanager
    def _decoding(self, table: str, key: object) -> Iterator[None]:
        """Turning one row into a domain value: what does not convert names its row."""
        try:
            yield
        except StoreError:
            raise
        except (DamagedValue, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise self._unreadable(exc, f"{table} {key}") from exc

    def _unreadable(self, exc: BaseException, where: str | None = None) -> StoreError:
        where = where or integrity.locate_damage(self.path) or type(exc).__name__
        self._damage = where
        log.error("ledger read failed at %s: %s", where, exc)
        return StoreError("ledger_unreadable", where=where)

    def _forget_plaintext(self) -> None:
        """After sealing an older ledger: rewrite the file so no old page keeps the clear text, and remove the
        pre-upgrade copy, which holds it (the upgrade has succeeded by now)."""
        with self._engine.connect() as conn:
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
        with self._write() as s:
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
                        setattr(row, column, self._seal(value, f"cases.{column}", row.case_uuid))
            for out in s.scalars(select(OutboxRow).where(OutboxRow.payload_json.not_like(unsealed))):
                sealed += 1
                out.payload_json = self._seal(out.payload_json, "outbox.payload_json", out.idempotency_key)
        return sealed

    def name_digest(self, name: str) -> str:
        """Keyed hash of a name as typed in any width or spacing (王 小明 = 王小明): exact search, name sealed."""
        folded = "".join(unicodedata.normalize("NFKC", name).split())
        return hmac.new(self._name_pepper, folded.encode("utf-8"), hashlib.sha256).hexdigest()

    def _fill_name_digests(self) -> None:
        """Cases from before revision 0009 get their name hash (the migration cannot: it has no key)."""
        while True:
            with self._write() as s:
                rows = s.execute(
                    select(CaseRow.case_uuid, CaseRow.applicant_name).where(CaseRow.name_digest.is_(None)).limit(1000)
                ).all()
                for key, sealed in rows:
                    digest = self.name_digest(self._open(sealed, "cases.applicant_name", key))
                    s.execute(update(CaseRow).where(CaseRow.case_uuid == key).values(name_digest=digest))
            if len(rows) < 1000:
                return

    def search_cases(self, query: str, limit: int = 50) -> list[SavedCase]:
        """Cases by ID number, case number (or its start) or the applicant's full name; newest first."""
        q = query.strip()
        if not q:
            return []
        try:
            condition = CaseRow.id_digest == self.id_digest(parse_id(q).value)
        except DomainError:
            if q[:1].isdigit():
                condition = (CaseRow.case_number >= q) & (CaseRow.case_number < q + "\uffff")
            else:
                condition = CaseRow.name_digest == self.name_digest(q)
        with self._read() as s:
            order = (CaseRow.received_at.desc(), CaseRow.case_number.desc())
            rows = s.scalars(select(CaseRow).where(condition).order_by(*order).limit(limit)).all()
            return self._to_saved_many(s, rows)

    def id_digest(self, national_id: str) -> str:
        return id_digest(national_id, self._pepper)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One BEGIN IMMEDIATE … COMMIT; any database failure becomes StoreError and nothing is kept. A ledger in
        which damage was found is never written to."""
        if self._damage is not None:
            raise StoreError("ledger_damaged", detail=self._damage)
        try:
            with self._sessions.begin() as session:
                yield session
        except StoreError:
            raise
        except DamagedValue as exc:
            raise self._unreadable(exc) from exc
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", exc))
            if "day_closed" in detail:  # revision 0007's lock on a signed day
                raise StoreError("day_closed") from exc
            log.error("ledger write failed: %s", detail)
            raise StoreError("store_failed", detail=detail) from exc

    def _next(self, session: Session, counter: str) -> int:
        row = session.get(CounterRow, counter)
        if row is None:
            row = CounterRow(name=counter, value=0)
            session.add(row)
        row.value += 1
        return row.value

    # -- writes ----------------------------------------------------------------------------------------------

    def record_lookup(self, entry: LookupAudit) -> None:
        """Write an audit row, chained to the one before. Raises StoreError if it cannot be written: the caller
        must then not show data (fail closed)."""
        self.record_lookups([entry])

    def record_lookups(self, entries: list[LookupAudit]) -> None:
        """Write several audit rows in one transaction (a batch look-up), chained in order."""
        now = self._now().isoformat()
        with self._write() as s:
            last = s.execute(select(LookupRow.seq, LookupRow.row_hash).order_by(LookupRow.seq.desc()).limit(1)).first()
            seq, previous = (last[0], str(last[1])) if last and last[0] is not None else (0, GENESIS)
            rows = []
            for entry in entries:
                seq += 1
                event = {
                    "seq": seq,
                    "at": now,
                    "clerk": entry.clerk,
                    "device_id": self.device.device_id,
                    "case_uuid": str(entry.case_uuid),
                    "purpose": entry.purpose,
                    "kind": entry.kind,
                    "id_masked": mask_id(entry.national_id),
                    "id_digest": self.id_digest(entry.national_id),
                    "outcome": entry.outcome,
                    "server_lookup_id": str(entry.server_lookup_id) if entry.server_lookup_id else None,
                    "detail": entry.detail,
                }
                previous_hash, previous = previous, link(previous, event)
                rows.append({**event, "prev_hash": previous_hash, "row_hash": previous})
            s.execute(insert(LookupRow), rows)  # one executemany, not one ORM object per row

    def verify_audit_chain(self) -> int | None:
        """The seq of the first audit row that was altered, removed or moved; None when the chain holds."""
        with self._read() as s:
            rows = s.execute(select(LookupRow).order_by(LookupRow.seq)).scalars().all()
            return first_bad({c: getattr(r, c) for c in (*FIELDS, "prev_hash", "row_hash")} for r in rows)

    def accept(self, draft: CaseDraft) -> SavedCase:
        """Save the case, its receipt and its outbox row in one transaction and return what was saved."""
        now = self._now()
        day = now.date()
        decision = draft.decision.outcome
        status = STATUS_PENDING_VERIFICATION if decision is Outcome.UNKNOWN else STATUS_ACCEPTED
        nid = draft.applicant.national_id
        # What is collected at the counter: nothing when the fee is not published (the receipt says 依機關公告).
        fee = draft.service.fee or 0
        with self._write() as s:
            if self._close_row(s, day) is not None:  # the database refuses it too; this says why in words
                raise StoreError("intake_day_closed")
            case_seq = self._next(s, f"case:{day.isoformat()}")
            receipt_seq = self._next(s, "receipt")
            # The day's last receipt number, kept with it: the day close finds a missing last receipt on its day.
            s.merge(CounterRow(name=f"{LAST_RECEIPT}{day.isoformat()}", value=receipt_seq))
            dev = self.device
            case_number = f"{dev.office.code}-{dev.device_id}-{format_roc_compact(day)}-{case_seq:04d}"
            receipt_number = f"{dev.device_id}-R{receipt_seq:07d}"
            wire_case = wire.CaseIn(
                case_uuid=draft.case_uuid,
                case_number=case_number,
                receipt_number=receipt_number,
                service_code=draft.service.code,
                catalog_version=draft.service.catalog_version,
                national_id=nid.value,
                applicant_name=draft.applicant.name,
                birth_date=draft.applicant.birth_date,
                office_code=dev.office.code,
                device_id=dev.device_id,
                clerk=draft.clerk,
                received_at=now,
                fee=fee,
                payment_method=draft.payment_method,
                decision=decision.value,
                reason_codes=list(draft.decision.reason_codes),
                fields=draft.fields,
                due_date=draft.due_date,
                documents_owed=list(draft.documents_owed),
                override=draft.override,
                supersedes=draft.supersedes,
            )
            s.add(
                CaseRow(
                    case_uuid=str(draft.case_uuid),
                    case_number=case_number,
                    service_code=draft.service.code,
                    catalog_version=draft.service.catalog_version,
                    national_id=self._seal(nid.value, "cases.national_id", draft.case_uuid),
                    id_masked=nid.masked(),
                    id_digest=self.id_digest(nid.value),
                    applicant_name=self._seal(draft.applicant.name, "cases.applicant_name", draft.case_uuid),
                    name_digest=self.name_digest(draft.applicant.name),
                    birth_date=self._seal(draft.applicant.birth_date.isoformat(), "cases.birth_date", draft.case_uuid),
                    office_code=dev.office.code,
                    device_id=dev.device_id,
                    clerk=draft.clerk,
                    received_at=now.isoformat(),
                    business_date=day.isoformat(),
                    fee=fee,
                    payment_method=draft.payment_method,
                    decision=decision.value,
                    reasons_json=_reasons_json(draft.decision),
                    status=status,
                    fields_json=self._seal(
                        json.dumps(draft.fields, ensure_ascii=False), "cases.fields_json", draft.case_uuid
                    ),
                    due_date=draft.due_date.isoformat() if draft.due_date else None,
                    documents_owed_json=json.dumps(list(draft.documents_owed), ensure_ascii=False),
                    override_json=draft.override.model_dump_json() if draft.override else None,
                )
            )
            s.flush()  # the receipt's foreign key needs the case row first
            s.add(
                ReceiptRow(
                    seq=receipt_seq,
                    receipt_number=receipt_number,
                    case_uuid=str(draft.case_uuid),
                    issued_at=now.isoformat(),
                    business_date=day.isoformat(),
                )
            )
            s.add(
                OutboxRow(
                    idempotency_key=str(draft.case_uuid),
                    kind="case",
                    case_uuid=str(draft.case_uuid),
                    payload_json=self._seal(wire_case.model_dump_json(), "outbox.payload_json", draft.case_uuid),
                    created_at=now.isoformat(),
                    state="pending",
                    attempts=0,
                )
            )
            if draft.supersedes is not None:
                # The corrected case replaces a set-aside one, in the same transaction: never both, never neither.
                # Its later updates go with it: the city never had the case, they would only be refused.
                s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.case_uuid == str(draft.supersedes), OutboxRow.state.in_(("attention", "pending")))
                    .values(state="withdrawn", last_error=f"已更正，改以 {case_number} 送出")
                )
        log.info("case %s accepted (%s, receipt %s)", case_number, decision.value, receipt_number)
        return self.case(draft.case_uuid)

    def awaiting_verification(self) -> list[PendingCase]:
        """Cases taken while a look-up could not run (待查驗), with what is needed to run it now."""
        with self._read() as s:
            # Only cases still on their way to the city: one it set aside or a person withdrew needs no update.
            rows = s.scalars(
                select(CaseRow)
                .join(OutboxRow, (OutboxRow.case_uuid == CaseRow.case_uuid) & (OutboxRow.kind == "case"))
                .where(CaseRow.status == STATUS_PENDING_VERIFICATION, OutboxRow.state.in_(("pending", "sent")))
                .order_by(CaseRow.case_number)
            ).all()
            return [self._pending(r) for r in rows]

    def applicant_details(self, case_uuid: UUID) -> PendingCase:
        """What was typed for a case (opened from its sealed columns), to correct it and send it again."""
        with self._read() as s:
            row = s.get(CaseRow, str(case_uuid))
            if row is None:
                raise KeyError(str(case_uuid))
            return self._pending(row)

    def _pending(self, r: CaseRow) -> PendingCase:
        with self._decoding("cases", r.case_number):
            return PendingCase(
                UUID(r.case_uuid),
                r.case_number,
                r.service_code,
                self._open(r.national_id, "cases.national_id", r.case_uuid),
                self._open(r.applicant_name, "cases.applicant_name", r.case_uuid),
                date.fromisoformat(self._open(r.birth_date, "cases.birth_date", r.case_uuid)),
                json.loads(self._open(r.fields_json, "cases.fields_json", r.case_uuid)),
            )

    def record_verification(self, case_uuid: UUID, decision: Decision, documents_owed: tuple[str, ...]) -> None:
        """The deferred look-ups ran: keep the new decision on the case and queue an update for the city, in one
        transaction. The case as first sent stays as it was on the server; the update says what changed."""
        now = self._now()
        outcome = decision.outcome
        change = wire.CaseUpdateIn(
            update_uuid=uuid4(),
            case_uuid=case_uuid,
            decision=outcome.value,
            reason_codes=list(decision.reason_codes),
            documents_owed=list(documents_owed),
            verified_at=now,
        )
        with self._write() as s:
            s.execute(
                update(CaseRow)
                .where(CaseRow.case_uuid == str(case_uuid), CaseRow.status == STATUS_PENDING_VERIFICATION)
                .values(
                    decision=outcome.value,
                    reasons_json=_reasons_json(decision),
                    status=STATUS_PENDING_VERIFICATION if outcome is Outcome.UNKNOWN else STATUS_VERIFIED,
                    documents_owed_json=json.dumps(list(documents_owed), ensure_ascii=False),
                )
            )
            s.add(
                OutboxRow(
                    idempotency_key=str(change.update_uuid),
                    kind="update",
                    case_uuid=str(case_uuid),
                    payload_json=self._seal(change.model_dump_json(), "outbox.payload_json", change.update_uuid),
                    created_at=now.isoformat(),
                    state="pending",
                    attempts=0,
                )
            )

    def mark_results(self, results: list[wire.CaseResult], clock_skew_s: int | None = None) -> None:
        """Apply the server's per-item answers: accepted/duplicate are delivered; conflict/rejected need a person.
        All delivered items of a batch in one statement, and the clock skew measured with the answer, in one
        transaction (a batch's answer is one durable write, not one per case)."""
        now = self._now().isoformat()
        delivered = [str(r.case_uuid) for r in results if r.status in ("accepted", "duplicate")]
        with self._write() as s:
            if clock_skew_s is not None:
                self._set_clock_skew(s, clock_skew_s)
            for n in range(0, len(delivered), 500):  # SQLite's limit on bound parameters
                s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.idempotency_key.in_(delivered[n : n + 500]), OutboxRow.state == "pending")
                    .values(state="sent", sent_at=now, last_error=None, attempts=OutboxRow.attempts + 1)
                )
            for r in results:
                if r.status in ("accepted", "duplicate"):
                    continue
                s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.idempotency_key == str(r.case_uuid), OutboxRow.state == "pending")
                    .values(
                        state="attention", last_error=f"{r.status}: {r.detail or ''}", attempts=OutboxRow.attempts + 1
                    )
                )

    def sent_cases(self, day: date) -> dict[str, str]:
        """Cases of an office day the server confirmed: case UUID -> content hash of what was sent."""
        with self._read() as s:
            rows = s.execute(
                select(OutboxRow.idempotency_key, OutboxRow.payload_json)
                .join(CaseRow, CaseRow.case_uuid == OutboxRow.case_uuid)
                .where(OutboxRow.kind == "case", OutboxRow.state == "sent", CaseRow.business_date == day.isoformat())
            ).all()
        hashes = {}
        for key, payload in rows:
            with self._decoding("outbox", key):
                hashes[key] = wire.CaseIn.model_validate_json(
                    self._open(payload, "outbox.payload_json", key)
                ).content_hash()
        return hashes

    def resend(self, keys: list[str], reason: str) -> None:
        """Put delivered cases back in the queue (the server no longer holds them); same key, same body."""
        with self._write() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key.in_(keys), OutboxRow.state == "sent")
                .values(state="pending", sent_at=None, next_attempt_at=None, last_error=reason)
            )

    def set_aside(self, keys: list[str], reason: str) -> None:
        """A delivered case that the server holds with other content: a person must look (需處理)."""
        with self._write() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key.in_(keys), OutboxRow.state == "sent")
                .values(state="attention", last_error=reason)
            )

    def catalog_entries(self) -> list[tuple[str, str]]:
        """(file name, text) of catalog files pulled from the city."""
        with self._read() as s:
            return [(r.file_name, r.text) for r in s.scalars(select(CatalogEntryRow).order_by(CatalogEntryRow.code))]

    def store_catalog_entries(self, entries: list[tuple[str, int, str, str]]) -> None:
        """(code, version, file name, text), all in one transaction: a catalog is never half updated."""
        with self._write() as s:
            for code, version, file_name, text_ in entries:
                s.merge(CatalogEntryRow(code=code, version=version, file_name=file_name, text=text_))

    def status_cursor(self) -> int:
        with self._read() as s:
            row = s.get(CounterRow, "status_cursor")
            return 0 if row is None else row.value

    def apply_status_changes(self, changes: list[wire.StatusChange], cursor: int) -> int:
        """Record the city's statuses and the new cursor in one transaction (a crash repeats the pull, no harm).
        Returns how many of this ledger's cases changed."""
        changed = 0
        with self._write() as s:
            for change in changes:
                result = s.execute(
                    update(CaseRow)
                    .where(CaseRow.case_uuid == str(change.case_uuid))
                    .values(server_status=change.status, server_note=change.note)
                )
                changed += result.rowcount or 0  # type: ignore[attr-defined]
            row = s.get(CounterRow, "status_cursor") or CounterRow(name="status_cursor", value=0)
            row.value = max(row.value, cursor)
            s.merge(row)
        return changed

    def recent_cases(self, limit: int = 50) -> list[SavedCase]:
        with self._read() as s:
            rows = s.scalars(select(CaseRow).order_by(CaseRow.received_at.desc()).limit(limit)).all()
            return self._to_saved_many(s, rows)

    def record_reprint(self, case_uuid: UUID) -> int:
        """Count a reprint of a case's receipt (the copy is marked 補印); returns which reprint this is."""
        with self._write() as s:
            if s.get(CaseRow, str(case_uuid)) is None:
                raise KeyError(str(case_uuid))
            name = f"reprint:{case_uuid}"
            row = s.get(CounterRow, name) or CounterRow(name=name, value=0)
            row.value += 1
            s.merge(row)
            return row.value

    def record_clock_skew(self, seconds: int) -> None:
        """Server time minus device time, as last measured (cases keep both times; a large skew is flagged)."""
        with self._write() as s:
            self._set_clock_skew(s, seconds)

    @staticmethod
    def _set_clock_skew(s: Session, seconds: int) -> None:
        row = s.get(CounterRow, "clock_skew_s") or CounterRow(name="clock_skew_s", value=0)
        row.value = seconds
        s.merge(row)

    def push_batch_hint(self) -> int | None:
        """The batch size the last push settled on after time-outs (None: the default)."""
        with self._read() as s:
            row = s.get(CounterRow, "push_batch")
            return row.value if row else None

    def set_push_batch_hint(self, size: int) -> None:
        with self._write() as s:
            s.merge(CounterRow(name="push_batch", value=size))

    def clock_skew(self) -> int | None:
        with self._read() as s:
            row = s.get(CounterRow, "clock_skew_s")
            return None if row is None else row.value

    def record_backlog_override(self, supervisor: str, reason: str, until: datetime) -> None:
        """A supervisor lets intake go on past the offline limit: recorded in the tamper-evident audit chain, with
        its expiry, in one transaction."""
        self.record_lookup(
            LookupAudit(uuid4(), "backlog", "backlog-override", "", supervisor, "granted", detail=reason[:200])
        )
        with self._write() as s:
            row = s.get(CounterRow, "backlog_override_until") or CounterRow(name="backlog_override_until", value=0)
            row.value = int(until.timestamp())
            s.merge(row)

    def backlog_override_until(self) -> datetime | None:
        with self._read() as s:
            row = s.get(CounterRow, "backlog_override_until")
        return datetime.fromtimestamp(row.value, tz=self._now().tzinfo) if row else None

    def backlog(self) -> Backlog:
        """How much waits for the city, and since when."""
        with self._read() as s:
            count, oldest = s.execute(
                select(func.count(), func.min(OutboxRow.created_at)).where(OutboxRow.state == "pending")
            ).one()
        with self._decoding("outbox", "created_at"):
            return Backlog(int(count), datetime.fromisoformat(oldest) if oldest else None)

    def requeue(self, key: str) -> None:
        """A person sends a set-aside case again (e.g. after the city fixed its side); same key, same body."""
        with self._write() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key == key, OutboxRow.state == "attention")
                .values(state="pending", next_attempt_at=None)
            )

    def withdraw(self, key: str, reason: str, by: str) -> None:
        """A person withdraws a set-aside case: it stays in the ledger, with who and why, and is not sent."""
        with self._write() as s:
            # A withdrawn case takes its queued updates with it.
            case_uuid = s.scalar(select(OutboxRow.case_uuid).where(OutboxRow.idempotency_key == key))
            s.execute(
                update(OutboxRow)
                .where(
                    (OutboxRow.idempotency_key == key)
                    | ((OutboxRow.case_uuid == case_uuid) & OutboxRow.state.in_(("attention", "pending")))
                )
                .where(OutboxRow.state.in_(("attention", "pending")))
                .values(state="withdrawn", last_error=f"撤回（{by}）：{reason}")
            )

    def outbox_items(self, states: tuple[str, ...]) -> list[OutboxView]:
        """Queue entries in the given states, with what a person needs to act on them (no full ID)."""
        with self._read() as s:
            rows = s.execute(
                select(OutboxRow, CaseRow.case_number, CaseRow.service_code, CaseRow.id_masked)
                .outerjoin(CaseRow, CaseRow.case_uuid == OutboxRow.case_uuid)
                .where(OutboxRow.state.in_(states))
                .order_by(OutboxRow.id)
            ).all()
        return [
            OutboxView(
                o.idempotency_key,
                number or RECORD_NAMES.get(o.kind, o.kind),
                service or "",
                masked or "",
                o.state,
                o.attempts,
                o.last_error,
                o.next_attempt_at,
                o.kind,
            )
            for o, number, service, masked in rows
        ]

    def last_delivery(self) -> datetime | None:
        """When the server last confirmed a case (the "last successful sync" the liaison officer sees)."""
        with self._read() as s:
            value = s.scalar(select(func.max(OutboxRow.sent_at)))
        with self._decoding("outbox", "sent_at"):
            return datetime.fromisoformat(value) if value else None

    def mark_retry(self, keys: list[str], error: str, next_attempt_at: datetime) -> None:
        with self._write() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key.in_(keys), OutboxRow.state == "pending")
                .values(attempts=OutboxRow.attempts + 1, last_error=error, next_attempt_at=next_attempt_at.isoformat())
            )

    # -- reads -----------------------------------------------------------------------------------------------

    def case(self, case_uuid: UUID) -> SavedCase:
        with self._read() as s:
            row = s.get(CaseRow, str(case_uuid))
            if row is None:
                raise KeyError(str(case_uuid))
            return self._to_saved(s, row)

    def cases_on(self, day: date) -> list[SavedCase]:
        with self._read() as s:
            rows = s.scalars(
                select(CaseRow).where(CaseRow.business_date == day.isoformat()).order_by(CaseRow.case_number)
            ).all()
            return self._to_saved_many(s, rows)

    def _to_saved(self, s: Session, row: CaseRow) -> SavedCase:
        return self._to_saved_many(s, [row])[0]

    def _to_saved_many(self, s: Session, rows: Sequence[CaseRow]) -> list[SavedCase]:
        """Cases with their receipt, queue state and void, read with one query each for the whole list."""
        keys = [r.case_uuid for r in rows]
        receipts: dict[str, str] = {
            k: v
            for k, v in s.execute(
                select(ReceiptRow.case_uuid, ReceiptRow.receipt_number).where(ReceiptRow.case_uuid.in_(keys))
            )
        }
        states: dict[str, str] = {
            k: v
            for k, v in s.execute(
                select(OutboxRow.idempotency_key, OutboxRow.state).where(OutboxRow.idempotency_key.in_(keys))
            )
        }
        voided = set(s.scalars(select(VoidRow.case_uuid).where(VoidRow.case_uuid.in_(keys)))) | set(
            s.scalars(
                select(CorrectionRow.case_uuid).where(CorrectionRow.case_uuid.in_(keys), CorrectionRow.kind == "void")
            )
        )
        return [self._saved(r, receipts.get(r.case_uuid), states.get(r.case_uuid), r.case_uuid in voided) for r in rows]

    def _saved(self, row: CaseRow, receipt: str | None, state: str | None, voided: bool) -> SavedCase:
        with self._decoding("cases", row.case_number):
            if receipt is not None and not RECEIPT_NUMBER.fullmatch(receipt):
                raise ValueError(f"receipt number {receipt!r} is not one this ledger writes")
            return self._saved_case(row, receipt, state, voided)

    def _saved_case(self, row: CaseRow, receipt: str | None, state: str | None, voided: bool) -> SavedCase:
        received = datetime.fromisoformat(row.received_at)
        return SavedCase(
            case_uuid=UUID(row.case_uuid),
            case_number=row.case_number,
            receipt_number=receipt or "",
            service_code=row.service_code,
            id_masked=row.id_masked,
            applicant_name=self._open(row.applicant_name, "cases.applicant_name", row.case_uuid),
            received_at=received,
            business_date=date.fromisoformat(row.business_date),
            clerk=row.clerk,
            fee=row.fee,
            payment_method=row.payment_method,
            decision=Outcome(row.decision),
            reasons=_reasons_from_json(row.reasons_json),
            status=row.status,
            sync_state=state or "sent",
            fields=json.loads(self._open(row.fields_json, "cases.fields_json", row.case_uuid)),
            due_date=date.fromisoformat(row.due_date) if row.due_date else None,
            documents_owed=tuple(json.loads(row.documents_owed_json)),
            override=wire.Override.model_validate_json(row.override_json) if row.override_json else None,
            server_status=row.server_status,
            server_note=row.server_note,
            voided=voided,
        )

    def open_cases(self, national_id: str, service_code: str) -> list[str]:
        """Case numbers of this person's earlier cases of the same service on this device (duplicate warning)."""
        with self._read() as s:
            rows = s.scalars(
                select(CaseRow.case_number)
                .where(CaseRow.id_digest == self.id_digest(national_id), CaseRow.service_code == service_code)
                .order_by(CaseRow.case_number)
            ).all()
        return list(rows)

    def case_count(self) -> int:
        with self._read() as s:
            return int(s.scalar(select(func.count()).select_from(CaseRow)) or 0)

    def outbox_counts(self) -> dict[str, int]:
        with self._read() as s:
            rows = s.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
        counts = {"pending": 0, "sent": 0, "attention": 0, "withdrawn": 0}
        counts.update({state: int(n) for state, n in rows})
        return counts

    def due_outbox(self, limit: int, now: datetime | None) -> list[OutboxItem]:
        """Pending items, oldest first; with `now`, only those whose next attempt is due by then."""
        query = select(OutboxRow).where(OutboxRow.state == "pending")
        if now is not None:
            moment = now.isoformat()
            query = query.where((OutboxRow.next_attempt_at.is_(None)) | (OutboxRow.next_attempt_at <= moment))
        with self._read() as s:
            rows = s.scalars(query.order_by(OutboxRow.id).limit(limit)).all()
            return [
                OutboxItem(
                    r.idempotency_key,
                    self._open(r.payload_json, "outbox.payload_json", r.idempotency_key),
                    r.attempts,
                    r.kind,
                )
                for r in rows
            ]

    def lookups_for(self, case_uuid: UUID) -> list[tuple[str, str, str]]:
        """(kind, outcome, masked ID) of each audited look-up of a case."""
        with self._read() as s:
            rows = s.execute(
                select(LookupRow.kind, LookupRow.outcome, LookupRow.id_masked)
                .where(LookupRow.case_uuid == str(case_uuid))
                .order_by(LookupRow.id)
            ).all()
        return [(k, o, m) for k, o, m in rows]
