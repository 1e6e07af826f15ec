"""A supervisor's approval at this device, for the city to check: online the city checks the password and issues
an approval bound to the action, its subject, the day and this device; without the network the supervisor signs
with their key on this device (sealed by their password), which the city verifies when the record arrives.

A refusal by the city is final: it is never retried offline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID, uuid4

from forms.errors import DomainError
from sync.city.client import CityClient
from sync.city.supervisor_keys import SupervisorKeys
from sync.ledger.books import Approval
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind

log = logging.getLogger(__name__)


class Approver:
    def __init__(self, client: CityClient, keys: SupervisorKeys, now: Callable[[], datetime]) -> None:
        self._client = client
        self._keys = keys
        self._now = now

    def approve(
        self,
        supervisor: str,
        password: str,
        purpose: wire.ApprovalPurpose,
        subject: UUID,
        reason: str,
        rules: tuple[str, ...] = (),
        day: date | None = None,
    ) -> Approval:
        """Raises DomainError: supervisor_not_verified, supervisor_locked (offline lock-out), login_locked."""
        supervisor = supervisor.strip()
        if not supervisor or not password:
            raise DomainError("supervisor_not_verified")
        pending = self._keys.offer(supervisor)
        try:
            answer = self._client.approve(
                wire.ApprovalRequest(
                    supervisor=supervisor,
                    password=password,
                    case_uuid=subject,
                    reason=reason,
                    rules=list(rules),
                    purpose=purpose,
                    day=day,
                    offline_key=pending.public,
                )
            )
        except SyncError as exc:
            if exc.kind is SyncErrorKind.REJECTED:  # the city said no: final
                if exc.code == "login_locked":
                    raise DomainError("login_locked", minutes=exc.params.get("minutes", 15)) from exc
                if exc.code == "client_outdated":  # not the supervisor's password: the app must be updated
                    raise DomainError(exc.code, **exc.params) from exc
                raise DomainError("supervisor_not_verified") from exc
            if exc.kind is SyncErrorKind.AUTH:
                raise
            approval_id = uuid4()
            proof = self._keys.sign(supervisor, password, purpose, subject, day, approval_id, rules)
            log.info("supervisor %s approved %s offline", supervisor, purpose)
            return Approval(supervisor, str(approval_id), proof)
        self._keys.keep(pending, password)
        return Approval(answer.supervisor, str(answer.approval_id))

    def register_signed_in(self, supervisor: str, password: str) -> bool:
        """A supervisor signed in online on this device: bind a fresh approval key for them here (so they can
        approve without the network later). False when the city could not be reached."""
        pending = self._keys.offer(supervisor)
        try:
            self._client.register_supervisor_key(pending.public)
        except SyncError as exc:
            log.info("supervisor key not registered: %s", exc.code)
            return False
        self._keys.keep(pending, password)
        return True
