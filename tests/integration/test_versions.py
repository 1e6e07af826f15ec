"""Client versions: the app says its version in every request; the city keeps the one each device last signed in
with, and may require a minimum: an older app is told 「請更新」 and which version, and its queue waits untouched."""

from __future__ import annotations

from dataclasses import replace

import pytest
import requests

from cityserver.db import DeviceRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.messages import text
from sync.city.push import push_pending
from sync.ledger import Ledger
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from sync.protocol.version import VERSION, VERSION_HEADER, parse
from tests.conftest import PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, TEST_DEVICE_ID, client_for
from tests.reliability.harness import make_cases

pytestmark = pytest.mark.integration

INSTALLER = "https://city.example/counterdesk/Counterdesk-setup.exe"


def next_minor() -> str:
    """A version just above the one under test (whatever it is by then)."""
    found = parse(VERSION)
    assert found is not None
    return f"{found[0]}.{found[1] + 1}.0"


def require(city: EmbeddedServer, minimum: str, latest: str = "", installer: str = "") -> None:
    server = city.app.state.server
    server.settings = replace(
        server.settings, min_client_version=minimum, latest_version=latest, installer_url=installer
    )


def test_an_app_older_than_the_minimum_is_told_to_update_and_its_queue_waits(
    city: EmbeddedServer, ledger: Ledger, population: list[Resident]
) -> None:
    needed = next_minor()
    require(city, needed, latest=needed, installer=INSTALLER)
    client = client_for(city, TEST_DEVICE, USER, PASSWORD)
    with pytest.raises(SyncError) as err:
        client._ensure_token()
    assert (err.value.kind, err.value.code) == (SyncErrorKind.REJECTED, "client_outdated")
    said = text(err.value.code, **err.value.params)
    assert "請更新" in said and needed in said and VERSION in said and INSTALLER in said
    # The queue is not the cases' fault: nothing is spent, nothing set aside.
    make_cases(ledger, [r.national_id for r in population[:2]])
    report = push_pending(ledger, client)
    assert report.error_code == "client_outdated"
    assert ledger.outbox.counts()["pending"] == 2 and ledger.outbox.due(10, None)[0].attempts == 0
    # /health still answers, and says what is needed and where it is.
    health = client.health()
    assert (health.minimum_version, health.latest_version, health.installer_url) == (needed, needed, INSTALLER)
    # Once the city lowers its minimum to this version, the same queue goes through.
    require(city, VERSION)
    assert push_pending(ledger, client).accepted == 2
    client.close()


@pytest.mark.parametrize("said", [None, "", "0.0.9", "1", "x.y.z", "0.1.0; DROP", "9999.0.0"])
def test_a_missing_forged_or_old_version_header_is_refused_when_a_minimum_is_set(
    city: EmbeddedServer, said: str | None
) -> None:
    require(city, "0.1.0")
    headers = {} if said is None else {VERSION_HEADER: said}
    answer = requests.post(
        f"{city.url}/api/v1/auth/challenge", json={"device_id": TEST_DEVICE_ID}, headers=headers, timeout=5
    )
    if said == "9999.0.0":  # newer than required is welcome
        assert answer.status_code == 200
        return
    assert answer.status_code == 426, answer.text
    assert answer.json()["code"] == "client_outdated"
    assert answer.headers["Counterdesk-Minimum-Version"] == "0.1.0"
    # The public pages need no version.
    assert requests.get(f"{city.url}/api/v1/health", timeout=5).status_code == 200
    assert requests.get(f"{city.url}/track", timeout=5).status_code == 200


def test_without_a_minimum_any_client_is_served(city: EmbeddedServer) -> None:
    answer = requests.post(f"{city.url}/api/v1/auth/challenge", json={"device_id": TEST_DEVICE_ID}, timeout=5)
    assert answer.status_code == 200
    assert client_for(city, TEST_DEVICE, USER, PASSWORD).health().minimum_version == ""


def test_the_city_keeps_the_version_each_device_last_signed_in_with(city: EmbeddedServer) -> None:
    first = client_for(city, TEST_DEVICE, USER, PASSWORD)
    first._session.headers[VERSION_HEADER] = "0.3.7"  # as an app of that release sends it
    first._ensure_token()
    first.close()
    chief = client_for(city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD)
    chief._session.headers[VERSION_HEADER] = "0.4.1"
    listed = {d.device_id: d for d in chief.devices().devices}
    assert listed[TEST_DEVICE_ID].client_version == "0.4.1"  # the supervisor's own log-in came last
    assert isinstance(listed[TEST_DEVICE_ID], wire.DeviceInfo)
    chief.close()
    # A forged header is kept as nothing, not as what it said.
    forged = client_for(city, TEST_DEVICE, USER, PASSWORD)
    forged._session.headers[VERSION_HEADER] = "<script>"
    forged._ensure_token()
    forged.close()
    with city.app.state.server.factory() as db:
        assert db.get(DeviceRow, TEST_DEVICE_ID).client_version == ""
