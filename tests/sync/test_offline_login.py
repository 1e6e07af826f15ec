"""Offline log-in against the cached hash: right password, wrong one, lock-out, and the days-offline limit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from forms.clock import TAIPEI
from forms.errors import DomainError
from sync.city.offline_login import MAX_FAILURES, check_offline_login, remember_login
from sync.ledger.secrets import MemorySecretStore

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=TAIPEI)


def code(call: object) -> str:
    with pytest.raises(DomainError) as err:
        call()  # type: ignore[operator]
    return err.value.code


def test_offline_login_rules() -> None:
    store = MemorySecretStore()
    assert code(lambda: check_offline_login(store, "lin", "pw-1234", NOW, 7)) == "offline_login_unknown"
    remember_login(store, "lin", "pw-1234", NOW)
    assert "pw-1234" not in (store.get("offline-login:lin") or "")  # a salted hash, never the password
    check_offline_login(store, "lin", "pw-1234", NOW + timedelta(days=6), 7)
    assert (
        code(lambda: check_offline_login(store, "lin", "pw-1234", NOW + timedelta(days=8), 7))
        == "offline_login_expired"
    )
    assert code(lambda: check_offline_login(store, "lin", "wrong", NOW, 7)) == "auth_failed"


def test_lockout_after_repeated_failures() -> None:
    store = MemorySecretStore()
    remember_login(store, "lin", "pw-1234", NOW)
    for _ in range(MAX_FAILURES):
        assert code(lambda: check_offline_login(store, "lin", "guess", NOW, 7)) == "auth_failed"
    # Locked: even the right password waits.
    assert code(lambda: check_offline_login(store, "lin", "pw-1234", NOW, 7)) == "offline_login_locked"
    check_offline_login(store, "lin", "pw-1234", NOW + timedelta(minutes=16), 7)
