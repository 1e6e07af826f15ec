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
    from sync.ledger.secrets import MemorySecretStore

    db = f"sqlite:///{tmp_path / 'city.db'}"

    def server(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "cityserver", "--db", db, *args], check=True, capture_output=True, text=True
        ).stdout

    assert "移轉至 0" in server("migrate")
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


def _check(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data_dir), "check-ledger"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_ledger_prints_one_line_and_exits_0_only_for_a_sound_ledger(tmp_path: Path) -> None:
    """For support staff and scripts: ok, damaged and behind, each with its counts; no keyring needed."""
    from sync.ledger import Device, Ledger
    from tests.conftest import OFFICE, fixed_now
    from tests.sync.test_ledger import draft

    ledger = Ledger(tmp_path / "ledger.db", Device(OFFICE, "D0001"), b"\x01" * 32, fixed_now)
    for _ in range(2):
        ledger.cases.accept(draft())
    ledger.close()
    sound = _check(tmp_path)
    assert (sound.returncode, sound.stdout) == (0, "LEDGER ok cases=2 receipts=2 chain=ok\n")

    data = bytearray((tmp_path / "ledger.db").read_bytes())
    data[4096 : 4096 + 16] = b"\xa5" * 16  # the second page's b-tree header
    (tmp_path / "ledger.db").write_bytes(bytes(data))
    damaged = _check(tmp_path)
    assert damaged.returncode == 1 and damaged.stdout.startswith("LEDGER damaged ")
    assert damaged.stderr.strip()  # what is wrong, for support staff

    (tmp_path / "ledger.db").unlink()  # lost, while the marks beside it remember two receipts
    behind = _check(tmp_path)
    assert (behind.returncode, behind.stdout) == (1, "LEDGER behind cases=0 receipts=0 chain=ok\n")
    assert "receipt 0 < 2" in behind.stderr
