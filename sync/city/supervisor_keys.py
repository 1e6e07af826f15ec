"""Supervisors' approval keys on this device, so an approval given without the network is still one the city can
verify later: an Ed25519 key per supervisor, sealed with a key derived (scrypt) from that supervisor's password,
kept in the OS keyring. The city binds the public half when it has checked the supervisor's password here.

Without the password the key cannot sign; wrong passwords lock it for a while, like the offline log-in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from forms.errors import DomainError
from sync.ledger.secrets import SecretStore
from sync.protocol import signing, wire

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
# RFC 7914 interactive parameters, as for the cached log-in: about 50 ms here, 16 MiB.
_N, _R, _P = 2**14, 8, 1


def _name(username: str) -> str:
    return f"supervisor-key:{username}"


def _wrapping_key(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32, maxmem=2**26)


def _aad(username: str, device_id: str) -> bytes:
    return f"counterdesk-supervisor-key|{username}|{device_id}".encode()


@dataclass(frozen=True)
class PendingKey:
    """A key offered to the city with an approval request; kept only once the city accepted it."""

    username: str
    key: signing.SigningKey

    @property
    def public(self) -> wire.SupervisorKey:
        return wire.SupervisorKey(key_id=self.key.key_id, public_key=self.key.public_key)


class SupervisorKeys:
    def __init__(self, store: SecretStore, device_id: str, now: Callable[[], datetime]) -> None:
        self._store = store
        self._device_id = device_id
        self._now = now

    def has_key(self, username: str) -> bool:
        return self._store.get(_name(username)) is not None

    def offer(self, username: str) -> PendingKey:
        """A new key to register with this online approval: each one replaces the last (a changed password, a key
        the city revoked), so the key here is always the one the city holds."""
        return PendingKey(username, signing.SigningKey.generate())

    def keep(self, pending: PendingKey, password: str) -> None:
        """The city registered the key: seal it with the supervisor's password and keep it."""
        salt, nonce = os.urandom(16), os.urandom(12)
        sealed = AESGCM(_wrapping_key(password, salt)).encrypt(
            nonce, pending.key.private_bytes, _aad(pending.username, self._device_id)
        )
        state = {
            "key_id": pending.key.key_id,
            "salt": base64.b64encode(salt).decode(),
            "nonce": base64.b64encode(nonce).decode(),
            "sealed": base64.b64encode(sealed).decode(),
            "failures": 0,
            "locked_until": None,
        }
        self._store.set(_name(pending.username), json.dumps(state))

    def _unlock(self, username: str, password: str) -> tuple[signing.SigningKey, str]:
        """Raises DomainError: supervisor_not_verified (no key here, or wrong password), supervisor_locked."""
        raw = self._store.get(_name(username))
        if raw is None:
            raise DomainError("supervisor_not_verified")
        state = json.loads(raw)
        now = self._now()
        locked = state.get("locked_until")
        if locked and now < datetime.fromisoformat(locked):
            raise DomainError("supervisor_locked", until=datetime.fromisoformat(locked).strftime("%H:%M"))
        try:
            private = AESGCM(_wrapping_key(password, base64.b64decode(state["salt"]))).decrypt(
                base64.b64decode(state["nonce"]), base64.b64decode(state["sealed"]), _aad(username, self._device_id)
            )
        except InvalidTag:
            state["failures"] = int(state.get("failures", 0)) + 1
            if state["failures"] >= MAX_FAILURES:
                state["locked_until"], state["failures"] = (now + LOCKOUT).isoformat(), 0
            self._store.set(_name(username), json.dumps(state))
            raise DomainError("supervisor_not_verified") from None
        if state.get("failures"):
            state["failures"], state["locked_until"] = 0, None
            self._store.set(_name(username), json.dumps(state))
        return signing.SigningKey(private), str(state["key_id"])

    def sign(
        self,
        username: str,
        password: str,
        purpose: str,
        subject: UUID,
        day: date | None,
        approval_id: UUID,
        rules: tuple[str, ...] = (),
    ) -> wire.OfflineProof:
        """The supervisor's approval, signed here: the city verifies it when the record arrives."""
        key, key_id = self._unlock(username, password)
        at = self._now()
        message = wire.approval_message(purpose, subject, day, self._device_id, username, approval_id, at, rules)
        return wire.OfflineProof(key_id=key_id, signed_at=at, signature=key.sign(message))

    def forget(self, username: str) -> None:
        self._store.delete(_name(username))
