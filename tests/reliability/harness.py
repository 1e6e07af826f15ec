"""What the reliability suites share: making cases, syncing with the real client or a deliberately broken one,
and counting what the server and the ledger hold afterwards."""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cityserver.db import CaseRow, TokenRow
from cityserver.embedded import EmbeddedServer
from forms.catalog import load_catalog
from forms.ids import parse_id
from forms.types import Applicant, Decision, Outcome, RuleResult
from sync.city.client import CityClient
from sync.city.enrolment import DeviceIdentity
from sync.city.push import push_pending
from sync.ledger import CaseDraft, Ledger
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.fakes.tamper import break_checksum, rewrite_first_payload

SERVICE = load_catalog().get("SW-05")
VARIANTS = ("real", "newkey", "mark_first", "drop_401", "stop_on_reject")


def make_cases(ledger: Ledger, ids: list[str], poison: bool = False) -> None:
    """Accept one case per ID; with `poison`, the first queued case carries an ID the server must reject."""
    for n, national_id in enumerate(ids):
        draft = CaseDraft(
            case_uuid=uuid.uuid4(),
            service=SERVICE,
            applicant=Applicant(parse_id(national_id), "測試" + str(n % 100), date(1950, 1, 1)),
            decision=Decision((RuleResult("identity_matches", Outcome.PASS, "identity_ok"),)),
            clerk="clerk",
        )
        ledger.cases.accept(draft)
    if poison:
        rewrite_first_payload(ledger, break_checksum)


class NewKeyClient(CityClient):
    """MUTANT: mints a fresh idempotency key for every attempt (ODK-style duplicates)."""

    def push_cases(self, batch: wire.CasesBatchRequest) -> wire.CasesBatchResponse:
        fresh = {c.case_uuid: uuid.uuid4() for c in batch.cases}
        sent = wire.CasesBatchRequest(
            cases=[c.model_copy(update={"case_uuid": fresh[c.case_uuid]}) for c in batch.cases]
        )
        answer = super().push_cases(sent)
        back = {v: k for k, v in fresh.items()}
        results = [r.model_copy(update={"case_uuid": back[r.case_uuid]}) for r in answer.results]
        return answer.model_copy(update={"results": results})


class NoReloginClient(CityClient):
    """MUTANT's transport: a 401 is not answered by logging in again."""

    def _call(self, method: str, path: str, body: Any, model: Any, auth: bool = True) -> Any:
        return self._parse(self._send(method, path, body, auth), model)


def sync_round(variant: str, ledger: Ledger, client: CityClient, batch_size: int) -> None:
    """One sync attempt as the real app makes it, or as a broken client would."""
    if variant in ("real", "newkey"):
        push_pending(ledger, client, batch_size=batch_size, ignore_schedule=True)
        return
    items = ledger.outbox.due(batch_size, None)
    if not items:
        return
    batch = wire.CasesBatchRequest(cases=[wire.CaseIn.model_validate_json(i.payload) for i in items])
    if variant == "mark_first":  # MUTANT: marks the batch sent, then sends it
        ledger.outbox.mark_results([wire.CaseResult(case_uuid=c.case_uuid, status="accepted") for c in batch.cases])
        try:
            client.push_cases(batch)
        except SyncError:
            pass
        return
    try:
        answer = client.push_cases(batch)
    except SyncError as exc:
        if variant == "drop_401" and exc.kind is SyncErrorKind.AUTH:  # MUTANT: gives up the cases on 401
            ledger.outbox.mark_results([wire.CaseResult(case_uuid=c.case_uuid, status="rejected") for c in batch.cases])
        return
    if variant == "stop_on_reject" and any(r.status == "rejected" for r in answer.results):
        return  # MUTANT: a poison case blocks the queue (nothing of the batch is recorded)
    ledger.outbox.mark_results(answer.results)


def make_client(
    variant: str, url: str, device: DeviceIdentity, credentials: Any, timeout: tuple[float, float]
) -> CityClient:
    cls = {"newkey": NewKeyClient, "drop_401": NoReloginClient}.get(variant, CityClient)
    return cls(url, device, credentials, timeout=timeout)


def revoke_tokens(city: EmbeddedServer) -> None:
    """The server forgets every access token (expiry, restart): clients must log in again mid-sync."""
    with city.app.state.session_factory.begin() as s:
        s.query(TokenRow).delete()


@dataclass
class Tally:
    runs: int
    lost: int  # valid cases acknowledged locally but absent on the server, or lost from the ledger
    duplicated: int  # extra server rows for one case number
    gaps: int  # missing receipt numbers in the ledger
    pending: int  # still queued after the final drain
    wrongly_rejected: int  # valid cases the client set aside as rejected

    def line(self, suite: str) -> str:
        return f"RELIABILITY {suite} runs={self.runs} lost={self.lost} duplicated={self.duplicated} gaps={self.gaps}"

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.gaps or self.pending or self.wrongly_rejected)


def tally(
    runs: int, ledger_path: Path, city: EmbeddedServer, acked: set[str] | None = None, poisoned: int = 0
) -> Tally:
    """Compare the ledger and the server. `acked`: case numbers the client reported saved (crash suite)."""
    with sqlite3.connect(ledger_path) as conn:
        local = dict(conn.execute("SELECT case_number, case_uuid FROM cases").fetchall())
        seqs = sorted(r[0] for r in conn.execute("SELECT seq FROM receipts"))
        states = dict(conn.execute("SELECT idempotency_key, state FROM outbox").fetchall())
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with city.app.state.session_factory() as s:
        held = Counter(n for (n,) in s.query(CaseRow.case_number).all())
    valid = {n for n, u in local.items() if states.get(u) != "attention"}
    lost = len(valid - set(held)) + len((acked or set()) - set(local))
    duplicated = sum(c - 1 for c in held.values())
    gaps = (seqs[-1] - seqs[0] + 1 - len(seqs)) if seqs else 0
    pending = sum(1 for s in states.values() if s == "pending")
    attention = sum(1 for s in states.values() if s == "attention")
    return Tally(runs, lost, duplicated, gaps, pending, max(0, attention - poisoned))
