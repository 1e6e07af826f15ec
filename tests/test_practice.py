"""練習模式's own device: enrolled with the sandbox server like a real PC, its own random key per installation (no
published key), folders and key file private to the user, and an older sandbox moved aside, never deleted."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop.bootstrap import start_sandbox

pytestmark = pytest.mark.integration


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_practice_device_enrols_once_with_its_own_random_key(tmp_path: Path) -> None:
    first = start_sandbox(tmp_path / "a")
    device, secret = first.device.device_id, json.loads((tmp_path / "a" / "practice-keys.json").read_text())
    first.client.health()
    # The idle lock opens with the documented practice password (README), and with nothing else.
    assert first.unlock("practice") and not first.unlock("") and not first.unlock("Practice")
    first.close()
    assert device.startswith("D") and secret["device-secret"] != "00" * 32
    again = start_sandbox(tmp_path / "a")  # the next start: the same device, the same key
    assert again.device.device_id == device
    assert json.loads((tmp_path / "a" / "practice-keys.json").read_text())["device-secret"] == secret["device-secret"]
    again.close()
    other = start_sandbox(tmp_path / "b")  # another installation: another key
    other_secret = json.loads((tmp_path / "b" / "practice-keys.json").read_text())["device-secret"]
    other.close()
    assert other_secret != secret["device-secret"]
    assert mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "practice-keys.json") == 0o600
    assert mode(tmp_path / "a" / "device.json") == 0o600


def test_an_older_sandbox_is_moved_aside(tmp_path: Path) -> None:
    folder = tmp_path / "sandbox"
    folder.mkdir()
    with sqlite3.connect(folder / "sandbox-city.db") as conn:  # a sandbox made by an older version
        conn.execute("CREATE TABLE users (username TEXT PRIMARY KEY)")
    services = start_sandbox(folder)
    services.close()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("sandbox-old-")]
    assert len(aside) == 1 and (aside[0] / "sandbox-city.db").exists()
    assert (folder / "device.json").exists()
