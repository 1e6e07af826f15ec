"""`counterdesk catalog` for people and machines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "desktop", *args], check=True, capture_output=True, text=True).stdout


def test_catalog_json_lists_all_38_with_unknowns() -> None:
    rows = json.loads(run("catalog", "--json"))
    assert [r["number"] for r in rows] == list(range(1, 39))
    unknown_fee = [r for r in rows if r["fee"] is None]
    assert unknown_fee and all("fee" in r["unknown"] for r in unknown_fee)


def test_catalog_table_says_unknown_facts_in_words() -> None:
    table = run("catalog").splitlines()
    assert len(table) == 39
    assert "依機關公告" in table[2]  # item 2: fee and time limit not published
    assert "敬老愛心卡" in table[5] and "當場" in table[5]


def test_production_refuses_plain_http_to_another_host(tmp_path: Path) -> None:
    """Passwords and tokens never cross a network in clear text: only loopback may be plain http."""
    for args in (
        ["--server", "http://example.org", "--data-dir", str(tmp_path)],
        ["--server", "http://10.0.0.8:8787", "enrol", "--code", "ABCD-EFGH-JKMN"],
    ):
        result = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, check=False)
        assert result.returncode == 2, result
        assert "https" in result.stderr and "明文" in result.stderr
    assert not any(tmp_path.iterdir())  # nothing was set up for it


def test_server_admin_commands_enrol_list_and_revoke(tmp_path: Path) -> None:
    """The city's administrator makes a one-time code, sees the device once enrolled, and revokes it."""
    from desktop.bootstrap import enrol
    from sync.secrets import MemorySecretStore

    db = f"sqlite:///{tmp_path / 'city.db'}"

    def server(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "cityserver", "--db", db, *args], check=True, capture_output=True, text=True
        ).stdout

    made = server("enrol-device", "--office", "68000010", "--name", "櫃台3", "--valid-minutes", "30")
    code = made.split()[1]
    from cityserver.app import create_app
    from cityserver.embedded import EmbeddedServer

    city = EmbeddedServer(create_app(db))
    city.start()
    try:
        enrolled, _identity = enrol(tmp_path / "pc", city.url, code, MemorySecretStore())
    finally:
        city.stop()
    assert enrolled.device_id in server("list-devices", "--office", "68000010")
    assert "停用" in server("revoke-device", enrolled.device_id)
    assert "停用 " in server("list-devices")
