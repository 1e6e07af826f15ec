"""TLS: verification always on, trust pinned to the city's CA bundle (environment variables cannot swap it),
no redirect followed. Real HTTPS on 127.0.0.1 with throw-away CAs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from cityserver.app import create_app
from cityserver.embedded import EmbeddedServer
from sync.city.client import CityClient, Credentials
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.conftest import PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE

pytestmark = pytest.mark.integration


def serve(tmp_path: Path, city_template: Path, ca: trustme.CA, host: str) -> EmbeddedServer:
    import shutil

    db = tmp_path / f"city-{host}.db"
    shutil.copy2(city_template, db)
    cert = ca.issue_cert(host)
    chain, key = tmp_path / f"{host}.pem", tmp_path / f"{host}.key"
    cert.private_key_pem.write_to_path(str(key))
    cert.cert_chain_pems[0].write_to_path(str(chain))
    server = EmbeddedServer(create_app(f"sqlite:///{db}"), tls=(str(chain), str(key)))
    server.start()
    return server


@pytest.fixture
def city_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_city(tmp_path: Path, city_template: Path, city_ca: trustme.CA) -> Iterator[EmbeddedServer]:
    server = serve(tmp_path, city_template, city_ca, "127.0.0.1")
    yield server
    server.stop()


def bundle(tmp_path: Path, ca: trustme.CA, name: str) -> str:
    path = tmp_path / f"{name}.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def client(url: str, verify: str) -> CityClient:
    return CityClient(url, TEST_DEVICE, lambda: Credentials(USER, PASSWORD), verify=verify)


def assert_refused(url: str, verify: str) -> None:
    """Nothing is sent: the client refuses the server's certificate."""
    c = client(url, verify)
    with pytest.raises(SyncError) as err:
        c.health()
    assert (err.value.kind, err.value.code) == (SyncErrorKind.REJECTED, "tls_failed")
    c.close()


def test_pinned_city_ca_connects(https_city: EmbeddedServer, city_ca: trustme.CA, tmp_path: Path) -> None:
    c = client(https_city.url, bundle(tmp_path, city_ca, "city"))
    assert c.health().status == "ok"
    c.close()


def test_untrusted_ca_is_refused(https_city: EmbeddedServer, tmp_path: Path) -> None:
    assert_refused(https_city.url, bundle(tmp_path, trustme.CA(), "other"))


def test_host_name_mismatch_is_refused(tmp_path: Path, city_template: Path, city_ca: trustme.CA) -> None:
    server = serve(tmp_path, city_template, city_ca, "other.example")
    try:
        assert_refused(server.url, bundle(tmp_path, city_ca, "city"))
    finally:
        server.stop()


def test_environment_ca_bundle_cannot_swap_the_trust(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, city_template: Path, city_ca: trustme.CA
) -> None:
    """An attacker's CA signs the server's certificate and is named in REQUESTS_CA_BUNDLE: still refused."""
    attacker = trustme.CA()
    server = serve(tmp_path, city_template, attacker, "127.0.0.1")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle(tmp_path, attacker, "attacker"))
    monkeypatch.setenv("CURL_CA_BUNDLE", bundle(tmp_path, attacker, "attacker2"))
    try:
        assert_refused(server.url, bundle(tmp_path, city_ca, "city"))
    finally:
        server.stop()


def test_no_verify_false_anywhere_in_the_product() -> None:
    root = Path(__file__).resolve().parents[2]
    for folder in ("sync", "desktop", "cityserver", "forms", "printing"):
        for path in (root / folder).rglob("*.py"):
            assert "verify=False" not in path.read_text(encoding="utf-8"), path
