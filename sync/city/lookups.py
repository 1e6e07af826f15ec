"""Personal-data look-ups with their audit trail: refused without consent, audited before any answer is used."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from forms.errors import ValidationError
from forms.ids import NationalId
from sync.city.client import CityClient
from sync.ledger import Ledger, LookupAudit
from sync.protocol import wire
from sync.protocol.errors import SyncError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LookupResult:
    """Facts of one look-up kind, or None with the error code when it could not run."""

    kind: str
    facts: dict[str, Any] | None
    error_code: str | None = None


class LookupService:
    """Runs the look-ups a service declares and audits each one in the ledger."""

    def __init__(self, ledger: Ledger, client: CityClient) -> None:
        self._ledger = ledger
        self._client = client

    def run(
        self, kind: str, case_uuid: UUID, purpose: str, national_id: NationalId, consent: bool, clerk: str
    ) -> LookupResult:
        """Look up one kind of facts for a case.

        Raises:
            ValidationError: consent_missing (the refusal itself is audited; no network call is made).
            StoreError: the audit row could not be written; the answer is then withheld (fail closed).
        """

        def audit(outcome: str, detail: str | None = None, server_lookup_id: UUID | None = None) -> None:
            entry = LookupAudit(case_uuid, purpose, kind, national_id.value, clerk, outcome, server_lookup_id, detail)
            self._ledger.audit.record(entry)

        if not consent:
            audit("refused", "consent_missing")
            raise ValidationError("consent_missing")
        request = wire.LookupRequest(case_uuid=case_uuid, purpose=purpose, consent=True, national_id=national_id.value)
        try:
            answer = self._client.lookup(kind, request)
        except SyncError as exc:
            log.info("%s look-up for %s failed: %s", kind, national_id.masked(), exc.code)
            audit("error", exc.code)
            return LookupResult(kind, None, exc.code)
        found = getattr(answer.record, "found", True)
        audit("hit" if found else "miss", server_lookup_id=answer.lookup_id)
        return LookupResult(kind, answer.record.model_dump(exclude={"kind"}))
