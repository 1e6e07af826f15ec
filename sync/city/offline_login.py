"""Log-in without the network (a village hall): the password is checked against a salted scrypt hash cached at the
last online log-in, kept in the keyring; refused after too many days without contact, and after repeated failures."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from forms.errors import DomainError
from sync.ledger.secrets import SecretStore
from sync.protocol.passwords import hash_password, verify_password

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def _key(username: str) -> str:
    return f"offline-login:{username}"


def remember_login(store: SecretStore, username: str, password: str, now: datetime, role: str = "clerk") -> None:
    """After a successful online log-in: cache a hash of the password (never the password), the role the city
    gave, and the time."""
    state = {"hash": hash_password(password), "online": now.isoformat(), "failures": 0, "role": role}
    store.set(_key(username), json.dumps(state))


def cached_role(store: SecretStore, username: str) -> str | None:
    raw = store.get(_key(username))
    return None if raw is None else str(json.loads(raw).get("role", "clerk"))


def check_offline_login(store: SecretStore, username: str, password: str, now: datetime, max_days: int) -> str:
    """Returns the cached role. Raises DomainError: offline_login_unknown, offline_login_expired,
    offline_login_locked or auth_failed."""
    raw = store.get(_key(username))
    if raw is None:
        raise DomainError("offline_login_unknown")
    state = json.loads(raw)
    locked_until = state.get("locked_until")
    if locked_until and now < datetime.fromisoformat(locked_until):
        raise DomainError("offline_login_locked", until=datetime.fromisoformat(locked_until).strftime("%H:%M"))
    if now - datetime.fromisoformat(state["online"]) > timedelta(days=max_days):
        raise DomainError("offline_login_expired", days=max_days)
    if not verify_password(password, state["hash"]):
        state["failures"] = int(state.get("failures", 0)) + 1
        if state["failures"] >= MAX_FAILURES:
            state["locked_until"], state["failures"] = (now + LOCKOUT).isoformat(), 0
        store.set(_key(username), json.dumps(state))
        raise DomainError("auth_failed")
    state["failures"], state["locked_until"] = 0, None
    store.set(_key(username), json.dumps(state))
    return str(state.get("role", "clerk"))


def verify_cached(store: SecretStore, username: str, password: str) -> bool:
    """Unlocking an idle screen: the password against the cached hash (the session itself is already signed in)."""
    raw = store.get(_key(username))
    return raw is not None and verify_password(password, json.loads(raw)["hash"])


def verify_supervisor(store: SecretStore, username: str, password: str) -> bool:
    """A supervisor's approval at this device without the network: role and password from the cached log-in."""
    return cached_role(store, username) == "supervisor" and verify_cached(store, username, password)
