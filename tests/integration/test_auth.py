"""Log-in and tokens: every log-in and refresh is signed by an enrolled device's key; the refresh token lives in the
keyring, rotates, is bound to the device, and a spent one revokes its whole family; without any way to log in,
queued cases wait untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import uuid4

import pytest
import requests

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync.city.client import CityClient, Credentials
from sync.city.enrolment import DeviceIdentity
from sync.city.push import push_pending
from sync.ledger import Ledger
from sync.ledger.secrets import MemorySecretStore
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.conftest import OFFICE, PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, TEST_DEVICE_ID, enrol
from tests.reliability.harness import make_cases, revoke_tokens

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx


def lookup() -> wire.LookupRequest:
    return wire.LookupRequest(case_uuid=uuid4(), purpose="SW-05", consent=True, national_id="A123456789")


def nonce(city: EmbeddedServer, device_id: str) -> str:
    answer = requests.post(f"{city.url}/api/v1/auth/challenge", json={"device_id": device_id}, timeout=5)
    assert answer.status_code == 200
    return str(answer.json()["nonce"])


def refresh_raw(city: EmbeddedServer, identity: DeviceIdentity, token: str) -> requests.Response:
    """A refresh as a client would send it: signed by `identity` over the token's hash and a fresh nonce."""
    n = nonce(city, identity.device_id)
    digest = hashlib.sha256(token.encode()).hexdigest()
    body = {
        "refresh_token": token,
        "device_id": identity.device_id,
        "nonce": n,
        "signature": identity.sign(wire.auth_message("refresh", identity.device_id, digest, n)),
    }
    return requests.post(f"{city.url}/api/v1/auth/refresh", json=body, timeout=5)


def test_refresh_token_rotates_and_a_reused_one_revokes_its_family(city: EmbeddedServer) -> None:
    store = MemorySecretStore()
    first = CityClient(city.url, TEST_DEVICE, lambda: Credentials(USER, PASSWORD), secrets=store)
    first.lookup("household", lookup())
    issued = store.get(f"refresh-token:{TEST_DEVICE_ID}")
    assert issued and first.role == "clerk"
    first.close()
    # Next morning: a new session with no password at hand, only the keyring.
    revoke_tokens(city)
    second = CityClient(city.url, TEST_DEVICE, lambda: None, secrets=store)
    second.lookup("household", lookup())
    rotated = store.get(f"refresh-token:{TEST_DEVICE_ID}")
    assert rotated and rotated != issued
    # Another enrolled device holding the current token cannot use it: it is bound to the device.
    other = enrol(city, OFFICE.code, "another counter")
    assert refresh_raw(city, other, rotated).status_code == 401
    # The spent token comes back (copied before it was used): refused, and every token of that log-in is revoked.
    replay = refresh_raw(city, TEST_DEVICE, issued)
    assert replay.status_code == 401 and replay.json()["code"] == "refresh_reused"
    assert refresh_raw(city, TEST_DEVICE, rotated).json()["code"] in ("refresh_reused", "refresh_invalid")
    with pytest.raises(SyncError) as err:
        second.lookup("household", lookup())  # its access token went with the family; no password to log in
    assert err.value.kind is SyncErrorKind.AUTH
    second.close()


def test_a_device_id_alone_is_worth_nothing(city: EmbeddedServer) -> None:
    """Log-in needs the device key's signature over a fresh, single-use nonce: no nonce, a reused one, another
    key's signature, or an unknown device are all refused before any password is tried."""
    n = nonce(city, TEST_DEVICE_ID)
    message = wire.auth_message("token", TEST_DEVICE_ID, USER, n)

    def token(device: str, nonce_: str, signature: str) -> requests.Response:
        body = {"username": USER, "password": PASSWORD, "device_id": device, "nonce": nonce_, "signature": signature}
        return requests.post(f"{city.url}/api/v1/auth/token", json=body, timeout=5)

    stranger = enrol(city, OFFICE.code, "stranger")  # a key of a real device, but not of this one
    assert token(TEST_DEVICE_ID, n, stranger.sign(message)).status_code == 401
    assert token(TEST_DEVICE_ID, n, TEST_DEVICE.sign(message)).status_code == 401  # the nonce was spent above
    fresh = nonce(city, TEST_DEVICE_ID)
    good = token(TEST_DEVICE_ID, fresh, TEST_DEVICE.sign(wire.auth_message("token", TEST_DEVICE_ID, USER, fresh)))
    assert good.status_code == 200 and good.json()["office_code"] == OFFICE.code
    again = token(TEST_DEVICE_ID, fresh, TEST_DEVICE.sign(wire.auth_message("token", TEST_DEVICE_ID, USER, fresh)))
    assert again.status_code == 401 and again.json()["code"] == "challenge_invalid"
    made_up = nonce(city, "D9999")
    answer = token("D9999", made_up, TEST_DEVICE.sign(wire.auth_message("token", "D9999", USER, made_up)))
    assert answer.status_code == 401 and answer.json()["code"] == "device_proof_invalid"


def test_without_a_way_to_log_in_cases_wait_untouched(
    city: EmbeddedServer, ledger: Ledger, population: list[Resident], tmp_path: Path
) -> None:
    make_cases(ledger, [r.national_id for r in population[:3]])
    client = CityClient(city.url, TEST_DEVICE, lambda: None, secrets=MemorySecretStore())
    report = push_pending(ledger, client)
    assert report.error_code == "login_needed"
    assert ledger.outbox.counts()["pending"] == 3 and ledger.outbox.due(10, None)[0].attempts == 0
    with pytest.raises(SyncError) as err:
        client.lookup("household", lookup())
    assert err.value.kind is SyncErrorKind.AUTH
    client.close()


def test_sign_in_online_then_offline(city: EmbeddedServer) -> None:
    from datetime import timedelta

    from forms.errors import DomainError
    from sync.city.login import sign_in
    from tests.conftest import fixed_now

    store = MemorySecretStore()
    client = CityClient(city.url, TEST_DEVICE, lambda: None, secrets=store)
    with pytest.raises(SyncError):
        sign_in(client, store, Credentials(USER, "wrong"), fixed_now())
    assert sign_in(client, store, Credentials(USER, PASSWORD), fixed_now()).how == "online"
    city.stop()
    offline = CityClient(city.url, TEST_DEVICE, lambda: None, secrets=store, timeout=(0.5, 0.5))
    again = sign_in(offline, store, Credentials(USER, PASSWORD), fixed_now() + timedelta(days=2))
    assert (again.how, again.role) == ("offline", "clerk")
    with pytest.raises(DomainError) as err:
        sign_in(offline, store, Credentials(USER, PASSWORD), fixed_now() + timedelta(days=9))
    assert err.value.code == "offline_login_expired"
    city.start()


def test_production_enrols_then_keeps_secrets_in_the_keyring_only(
    city: EmbeddedServer, tmp_path: Path, memory_keyring: object
) -> None:
    import stat

    import keyring
    import keyring.backends.fail

    from cityserver.devices import create_enrolment
    from desktop.bootstrap import connect
    from desktop.bootstrap import enrol as enrol_pc
    from forms.errors import DomainError
    from sync.ledger.secrets import KeyringSecretStore, SecretUnavailable

    data = tmp_path / "data"
    with pytest.raises(DomainError) as err:
        connect(data, city.url, Credentials(USER, PASSWORD))
    assert err.value.code == "not_enrolled"
    code = create_enrolment(city.app.state.session_factory, OFFICE.code, "櫃台7", "chief").code
    enrolled, identity = enrol_pc(data, city.url, code.lower().replace("-", " "), KeyringSecretStore())
    assert enrolled.office.code == OFFICE.code and enrolled.office.name == "桃園市桃園區公所"
    with pytest.raises(SyncError) as used:
        enrol_pc(tmp_path / "again", city.url, code, KeyringSecretStore())  # single use
    assert used.value.code == "enrol_code_invalid"
    services = connect(data, city.url, Credentials(USER, PASSWORD))
    assert services.signed_in == "online" and services.role == "clerk"
    assert services.device.device_id == identity.device_id != TEST_DEVICE_ID
    stored = memory_keyring.values  # type: ignore[attr-defined]
    assert {name for _, name in stored} == {
        "device-secret",
        f"device-keys:{identity.device_id}",
        f"refresh-token:{identity.device_id}",
        f"offline-login:{USER}",
    }
    services.client.lookup("household", lookup())
    services.close()
    # Neither the password, any token nor any private key is anywhere in the data folder.
    secrets_here = [PASSWORD.encode(), *(v.encode() for v in stored.values())]
    for path in data.rglob("*"):
        if path.is_file():
            assert not any(secret in path.read_bytes() for secret in secrets_here), path
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(SecretUnavailable):
        connect(tmp_path / "data", city.url, Credentials(USER, PASSWORD))
