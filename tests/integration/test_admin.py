"""The administrator's commands, run as the administrator runs them (`python -m cityserver …` on the city's
database) against a city serving over HTTP: a disabled user or device is out at once and can come back; a reset
password ends every session; the device list shows each PC's state, app version and last contact."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cityserver.embedded import EmbeddedServer
from sync.protocol.errors import SyncError
from tests.conftest import PASSWORD, SUPERVISOR, USER
from tests.fakes.devices import TEST_DEVICE, Api, client_for, token_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("city", ["sqlite", "postgresql"], indirect=True),
]


def admin(city: EmbeddedServer, *args: str, typed: str = "") -> subprocess.CompletedProcess[str]:
    url = str(city.app.state.engine.url)
    return subprocess.run(
        [sys.executable, "-m", "cityserver", "--db", url, *args],
        input=typed,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,  # no terminal: getpass reads the typed password from stdin
    )


def refused_with(city: EmbeddedServer, username: str, password: str) -> str | None:
    client = client_for(city, TEST_DEVICE, username, password)
    try:
        client._ensure_token()
        return None
    except SyncError as exc:
        return exc.code
    finally:
        client.close()


def test_a_disabled_user_is_out_at_once_and_back_when_enabled(city: EmbeddedServer) -> None:
    live = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    assert live.get("/api/v1/status-changes").status_code == 200
    done = admin(city, "disable-user", USER)
    assert done.returncode == 0 and "已停用" in done.stdout
    assert live.get("/api/v1/status-changes").status_code == 401  # the session it had ended
    assert refused_with(city, USER, PASSWORD) == "user_disabled"
    assert refused_with(city, SUPERVISOR, "wrong") == "auth_failed"  # a guesser learns nothing new
    listed = admin(city, "users", "--office", "68000010").stdout
    assert any(line.startswith(f"{USER}\t") and "停用" in line for line in listed.splitlines())
    assert admin(city, "enable-user", USER).returncode == 0
    assert refused_with(city, USER, PASSWORD) is None


def test_a_reset_password_ends_every_session_and_the_old_one_stops(city: EmbeddedServer) -> None:
    live = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    done = admin(city, "reset-password", USER, typed="a-new-long-password\n")
    assert done.returncode == 0, done.stderr
    assert live.get("/api/v1/status-changes").status_code == 401
    assert refused_with(city, USER, PASSWORD) == "auth_failed"
    assert refused_with(city, USER, "a-new-long-password") is None
    short = admin(city, "reset-password", USER, typed="short\n")
    assert short.returncode == 2 and "8" in short.stderr
    assert refused_with(city, USER, "a-new-long-password") is None  # a refused reset changed nothing


def test_a_paused_device_cannot_sign_in_until_enabled_and_the_list_shows_it(city: EmbeddedServer) -> None:
    live = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    assert live.get("/api/v1/status-changes").status_code == 200  # a contact: the list shows when
    before = admin(city, "list-devices").stdout.splitlines()
    row = next(line.split("\t") for line in before if line.startswith(TEST_DEVICE.device_id))
    assert row[3] == "使用中" and row[4] != "—" and row[5] != "—"  # state, app version, last contact
    assert admin(city, "disable-device", TEST_DEVICE.device_id).returncode == 0
    assert live.get("/api/v1/status-changes").status_code == 401
    assert refused_with(city, USER, PASSWORD) == "device_disabled"
    paused = admin(city, "list-devices", "--office", "68000010").stdout
    assert f"{TEST_DEVICE.device_id}\t" in paused and "暫停" in paused
    assert admin(city, "enable-device", TEST_DEVICE.device_id).returncode == 0
    assert refused_with(city, USER, PASSWORD) is None


def test_unknown_names_are_refused_and_change_nothing(city: EmbeddedServer) -> None:
    for args in (("disable-user", "nobody"), ("enable-device", "D9999"), ("reset-password", "nobody")):
        done = admin(city, *args, typed="a-long-enough-pw\n")
        assert done.returncode == 1 and "查無" in done.stderr, (args, done.stderr)
