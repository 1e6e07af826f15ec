"""`counterdesk demo` end to end in a subprocess: the scripted day writes its receipts, report and screenshots."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_demo_writes_receipts_day_close_and_screenshot(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    receipts = sorted(out.glob("68000010-D0001-*.pdf"))
    assert len(receipts) == 5  # four receipts and one void slip
    assert len(list(out.glob("*-作廢.pdf"))) == 1 and len(list(out.glob("thermal-*.pdf"))) == 1
    assert (out / "dayclose-signed.png").stat().st_size > 10_000
    assert (out / "notice-parking.pdf").exists()
    assert len(list(out.glob("dayclose-*.pdf"))) == 1
    (office_day,) = out.glob("office-day-*.pdf")  # the office's day, signed after both its devices closed theirs
    paper = subprocess.run(["pdftotext", "-layout", str(office_day), "-"], capture_output=True, text=True).stdout
    assert "已日結 2 台、未日結 0 台" in paper and "D0001" in paper and "D0002" in paper
    assert len(list(out.glob("monthly-*.pdf"))) == 1 and len(list(out.glob("monthly-*.csv"))) == 1
    assert (out / "window.png").stat().st_size > 10_000
    # The second office's 跨區收件 case, decided here (issue 15), and the citizen's page at phone and desktop size.
    for png in ("cases-inbox.png", "cases-steps.png", "track-phone.png", "track-desktop.png"):
        assert (out / png).stat().st_size > 10_000, png
    assert struct.unpack(">II", (out / "track-phone.png").read_bytes()[16:24]) == (390, 844)
    assert struct.unpack(">II", (out / "track-desktop.png").read_bytes()[16:24]) == (1280, 800)
    lines = result.stdout.splitlines()
    assert any(line.startswith("intake eligible: ✔") for line in lines)
    assert any(line.startswith("intake ineligible: ✘") for line in lines)
    assert any(line.startswith("intake offline: ？") for line in lines)
    assert any(line.startswith("intake parking: ✔") for line in lines)
    # Four cases, and the update recording the offline case's deferred verification.
    assert "sync: outbox {'pending': 0, 'sent': 5, 'attention': 0, 'withdrawn': 0}" in lines
    assert any(line.startswith("deferred look-ups: 68000010-D0001-") and "符合資格" in line for line in lines)
    assert any(line.startswith("void: ") for line in lines)
    assert "day close: 本日已簽核，資料已鎖定；如需更正請以更正登錄處理。" in lines
    # Nothing personal in the log output: no full ID number.
    full_id = re.compile(rb"[A-Z][1289]\d{8}")
    assert not full_id.search((result.stdout + result.stderr).encode())
    # Nor anywhere the laptop keeps data: ledger (and its WAL), receipts, notices, day close. The practice city's
    # own register (sandbox-city.db) is the simulated central server's, holding its synthetic population.
    checked = 0
    for path in (out / "data").rglob("*"):
        if path.is_file() and not path.name.startswith("sandbox-city.db"):
            content = path.read_bytes()
            if path.suffix == ".pdf":  # compressed: read the text layer as a viewer would
                content = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
            assert not full_id.search(content), path
            checked += 1
    assert checked >= 6
    # The log file the demo wrote (its own, beside its output): lines of what happened, no full ID in any.
    log_text = (out / "logs" / "counterdesk.log").read_bytes()
    assert log_text.count(b"\n") >= 20 and b"INFO" in log_text
    assert not full_id.search(log_text)
    # Nothing the demo sent was refused by the city (the signed day included: its figures account for the void).
    import sqlite3

    with sqlite3.connect(out / "data" / "ledger.db") as conn:
        refused = conn.execute("SELECT kind, last_error FROM outbox WHERE state = 'attention'").fetchall()
    assert refused == []


PAGES = (  # every page and dialog a clerk or a supervisor meets (issue 14), written out here, not taken from the tour
    "intake-applicant",
    "intake-result",
    "intake-documents",
    "intake-done",
    "sync",
    "lock",
    "dayclose",
    "review",
    "devices",
    "cases",
    "officeday",
    "dialog-void",
    "dialog-override",
    "dialog-closure",
    "dialog-step",
    "dialog-pieces",
    "dialog-note",
    "dialog-login",
    "dialog-enrol",
)


@pytest.mark.parametrize(("scale", "suffix"), [("1", "1366x768"), ("1.5", "1366x768@150")])
def test_every_page_and_dialog_fits_a_1366_by_768_counter_screen(tmp_path: Path, scale: str, suffix: str) -> None:
    out = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "demo", "--out", str(out), "--screen", "1366x768", "--scale", scale],
        capture_output=True,
        text=True,
        timeout=180,
        env={k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR")},
        check=False,
    )
    verdicts = [line for line in result.stdout.splitlines() if line.startswith("screen ")]
    assert [line for line in verdicts if "CUT OFF" in line] == []
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(verdicts) == len(PAGES)
    for page in PAGES:
        png = out / "screens" / f"{page}-{suffix}.png"
        width, height = struct.unpack(">II", png.read_bytes()[16:24])  # the PNG header's IHDR
        assert 200 <= width <= 1366 and 100 <= height <= 768, (page, width, height)
