"""Log-in and tokens: the refresh token lives in the keyring, rotates, is bound to the device, and a spent one is
refused; without any way to log in, queued cases wait untouched."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest
import requests

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync import wire
from sync.client import CityClient, Credentials
from sync.errors import SyncError, SyncErrorKind
from sync.ledger import Ledger
from sync.push import push_pending
from sync.secrets import MemorySecretStore
from tests.conftest import PASSWORD, USER
from tests.reliability.harness import make_cases, revoke_tokens

pytestmark = pytest.mark.integration


def lookup() -> wire.LookupRequest:
    return wire.LookupRequest(case_uuid=uuid4(), purpose="SW-05", consent=True, national_id="A123456789")


def test_refresh_token_rotates_and_the_spent_one_is_refused(city: EmbeddedServer) -> None:
    store = MemorySecretStore()
    first = CityClient(city.url, "D01", lambda: Credentials(USER, PASSWORD), secrets=store)
    first.lookup("household", lookup())
    issued = store.get("refresh-token:D01")
    assert issued and first.role == "clerk"
    first.close()
    # Next morning: a new session with no password at hand, only the keyring.
    revoke_tokens(city)
    second = CityClient(city.url, "D01", lambda: None, secrets=store)
    second.lookup("household", lookup())
    rotated = store.get("refresh-token:D01")
    assert rotated and rotated != issued
    second.close()
    replay = requests.post(
        f"{city.url}/api/v1/auth/refresh", json={"refresh_token": issued, "device_id": "D01"}, timeout=5
    )
    assert replay.status_code == 401
    stolen = requests.post(
        f"{city.url}/api/v1/auth/refresh", json={"refresh_token": rotated, "device_id": "D99"}, timeout=5
    )
    assert stolen.status_code == 401  # bound to the device it was issued to


def test_without_a_way_to_log_in_cases_wait_untouched(
    city: EmbeddedServer, ledger: Ledger, population: list[Resident], tmp_path: Path
) -> None:
    make_cases(ledger, [r.national_id for r in population[:3]])
    client = CityClient(city.url, "D01", lambda: None, secrets=MemorySecretStore())
    report = push_pending(ledger, client)
    assert report.error_code == "login_needed"
    assert ledger.outbox_counts()["pending"] == 3 and ledger.due_outbox(10, None)[0].attempts == 0
    with pytest.raises(SyncError) as err:
        client.lookup("household", lookup())
    assert err.value.kind is SyncErrorKind.AUTH
    client.close()


def test_sign_in_online_then_offline(city: EmbeddedServer) -> None:
    from datetime import timedelta

    from forms.errors import DomainError
    from sync.login import sign_in
    from tests.conftest import fixed_now

    store = MemorySecretStore()
    client = CityClient(city.url, "D01", lambda: None, secrets=store)
    with pytest.raises(SyncError):
        sign_in(client, store, Credentials(USER, "wrong"), fixed_now())
    assert sign_in(client, store, Credentials(USER, PASSWORD), fixed_now()).how == "online"
    city.stop()
    offline = CityClient(city.url, "D01", lambda: None, secrets=store, timeout=(0.5, 0.5))
    again = sign_in(offline, store, Credentials(USER, PASSWORD), fixed_now() + timedelta(days=2))
    assert (again.how, again.role) == ("offline", "clerk")
    with pytest.raises(DomainError) as err:
        sign_in(offline, store, Credentials(USER, PASSWORD), fixed_now() + timedelta(days=9))
    assert err.value.code == "offline_login_expired"
    city.start()


def test_production_connect_keeps_secrets_in_the_keyring_only(
    city: EmbeddedServer, tmp_path: Path, memory_keyring: object
) -> None:
    import keyring
    import keyring.backends.fail

    from desktop.bootstrap import connect
    from sync.secrets import SecretUnavailable
    from tests.conftest import OFFICE

    services = connect(tmp_path / "data", city.url, Credentials(USER, PASSWORD), OFFICE, "D07")
    assert services.signed_in == "online" and services.role == "clerk"
    stored = memory_keyring.values  # type: ignore[attr-defined]
    assert {name for _, name in stored} == {"device-secret", "refresh-token:D07", f"offline-login:{USER}"}
    services.client.lookup("household", lookup())
    services.close()
    # Neither the password nor any token is anywhere in the data folder.
    secrets_here = [PASSWORD.encode(), *(v.encode() for (_, n), v in stored.items() if n.startswith("refresh"))]
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert not any(secret in path.read_bytes() for secret in secrets_here), path
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(SecretUnavailable):
        connect(tmp_path / "data2", city.url, Credentials(USER, PASSWORD), OFFICE, "D08")
