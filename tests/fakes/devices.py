"""Enrolled devices for tests: enrolment through the real HTTP path (a one-time code, keys made here), and clients
signed in as such a device."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cityserver.devices import create_enrolment
from cityserver.embedded import EmbeddedServer
from sync import enrolment
from sync.client import CityClient, Credentials
from sync.enrolment import DeviceIdentity
from sync.signing import SigningKey

# The shared test device: fixed keys, so the SQLite and PostgreSQL templates enrol the same device, and the city
# gives the first device of a fresh city the id D0001 (a fact of the fixture, checked when it is made).
TEST_IDENTITY_KEY = SigningKey(bytes([0x11]) * 32)
TEST_RECEIPT_KEY = SigningKey(bytes([0x12]) * 32)
TEST_DEVICE_ID = "D0001"
TEST_DEVICE = DeviceIdentity(TEST_DEVICE_ID, TEST_IDENTITY_KEY, TEST_RECEIPT_KEY)


@dataclass(frozen=True)
class Enrolled:
    identity: DeviceIdentity
    office_code: str


def enrol(
    city: EmbeddedServer,
    office_code: str,
    name: str = "test PC",
    keys: tuple[SigningKey, SigningKey] | None = None,
) -> DeviceIdentity:
    """Enrol a device of an office with the running city: a code made as an administrator would, presented over
    HTTP with keys made here."""
    code = create_enrolment(city.app.state.session_factory, office_code, name, "test-admin").code
    identity, receipt = keys or enrolment.new_keys()
    client = CityClient(city.url, None, lambda: None, timeout=(2.0, 10.0))
    try:
        answer = client.enrol(enrolment.enrol_request(code, identity, receipt, "test"))
    finally:
        client.close()
    return DeviceIdentity(answer.device_id, identity, receipt)


def client_for(
    city: EmbeddedServer | str,
    identity: DeviceIdentity,
    username: str,
    password: str,
    timeout: tuple[float, float] = (1.0, 5.0),
    **kwargs: object,
) -> CityClient:
    url = city if isinstance(city, str) else city.url
    credentials: Callable[[], Credentials | None] = lambda: Credentials(username, password)  # noqa: E731
    return CityClient(url, identity, credentials, timeout=timeout, **kwargs)  # type: ignore[arg-type]
