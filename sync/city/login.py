"""Signing in at the start of a session: online against the city server when it answers, otherwise against the
hash cached at the last online log-in (within the allowed days offline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sync.city.client import CityClient, Credentials
from sync.city.offline_login import check_offline_login, remember_login
from sync.ledger.secrets import SecretStore
from sync.protocol.errors import SyncError, SyncErrorKind

MAX_DAYS_OFFLINE = 7


@dataclass(frozen=True)
class SignedIn:
    how: str  # online / offline
    role: str  # clerk / liaison / supervisor, as the city gave it


def sign_in(
    client: CityClient,
    store: SecretStore,
    credentials: Credentials,
    now: datetime,
    max_days_offline: int = MAX_DAYS_OFFLINE,
) -> SignedIn:
    """Online when the server answers, else against the cached hash. Raises SyncError (wrong password online) or
    DomainError (offline refusal)."""
    try:
        client.login(credentials)
    except SyncError as exc:
        if exc.kind not in (SyncErrorKind.NETWORK, SyncErrorKind.TIMEOUT, SyncErrorKind.SERVER):
            raise
        role = check_offline_login(store, credentials.username, credentials.password, now, max_days_offline)
        return SignedIn("offline", role)
    role = client.role or "clerk"
    remember_login(store, credentials.username, credentials.password, now, role)
    return SignedIn("online", role)
