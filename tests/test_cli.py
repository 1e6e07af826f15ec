"""`counterdesk catalog` for people and machines."""

from __future__ import annotations

import json
import subprocess
import sys


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
