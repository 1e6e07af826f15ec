"""Enrolled devices for tests: enrolment through the real HTTP path (a one-time code, keys made here), and clients
signed in as such a device."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import requests
from pydantic import BaseModel

from cityserver.devices import create_enrolment
from cityserver.embedded import EmbeddedServer
from sync.city import enrolment
from sync.city.client import CityClient, Credentials
from sync.city.enrolment import DeviceIdentity
from sync.protocol.signing import SigningKey

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


def token_for(city: EmbeddedServer | str, identity: DeviceIdentity, username: str, password: str) -> str:
    """An access token of `username` signed in on `identity` (through the real log-in)."""
    client = client_for(city, identity, username, password)
    try:
        return client._ensure_token()
    finally:
        client.close()


class Api:
    """Raw requests as one signed-in caller (or none): what an attacker with a token can send."""

    def __init__(self, city: EmbeddedServer | str, token: str | None = None) -> None:
        self.url = city if isinstance(city, str) else city.url
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def post(self, path: str, body: object = None, **kwargs: object) -> requests.Response:
        return requests.post(self.url + path, json=body, headers=self.headers, timeout=15, **kwargs)  # type: ignore[arg-type]

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, headers=self.headers, timeout=15, **kwargs)  # type: ignore[arg-type]

    def push(self, kind: str, items: list[BaseModel]) -> list[dict[str, object]]:
        """Push items (cases, updates or records) and return the per-item results."""
        path, key = {"cases": ("cases:batch", "cases"), "updates": ("case-updates:batch", "updates")}.get(
            kind, ("day-records:batch", "records")
        )
        answer = self.post(f"/api/v1/{path}", {key: [i.model_dump(mode="json") for i in items]})
        assert answer.status_code == 200, answer.text
        results: list[dict[str, object]] = answer.json()["results"]
        return results
