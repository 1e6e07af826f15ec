"""Receipt and day-close PDFs: real files, read back with poppler and zbar as a person's tools would."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from printing.dayclose import DayCloseData, build_dayclose_pdf
from printing.fonts import FONT_NAME, font_files
from printing.receipt import ReceiptData, build_receipt_pdf

RECEIPT = ReceiptData(
    office_name="桃園市桃園區公所",
    case_number="68000010-D01-1151121-0042",
    receipt_number="D01-R0000042",
    service_name="敬老愛心卡",
    service_kind="跨區申辦（本所辦理）",
    name_masked="龔○瑄",
    id_masked="H22345****",
    received_text="115年11月21日 10:42",
    due_text="當場核發",
    decision_text="不符資格（已受理）",
    reasons=("未滿 65 歲：115年12月1日 起才可申請。", "戶籍不在桃園市（目前設籍臺南市）。"),
    fee_text="免費（初次申請免費）",
    clerk="櫃台承辦人",
    qr_payload="http://127.0.0.1:8787/track/68000010-D01-1151121-0042",
)


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def receipt_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(build_receipt_pdf(RECEIPT))
    return path


def test_text_layer_has_case_number_and_masked_id_only(receipt_pdf: Path) -> None:
    text = run("pdftotext", "-layout", str(receipt_pdf), "-")
    assert text.count(RECEIPT.case_number) == 2  # citizen part and office stub
    assert "H22345****" in text
    assert "敬老愛心卡" in text and "龔○瑄" in text and "115年11月21日" in text
    assert not re.search(r"[A-Z][1289]\d{8}", text)  # never a full ID
    assert not re.search(r"[A-Z][1289]\d{8}", run("pdfinfo", str(receipt_pdf)))


def test_fonts_are_embedded_subsets(receipt_pdf: Path) -> None:
    fonts = run("pdffonts", str(receipt_pdf)).splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        assert " yes yes " in line, line  # embedded, subset
        assert "NotoSansTC" in line, line


def test_every_printed_character_has_a_glyph() -> None:
    """A character the font lacks prints as a box (.notdef): check the font's cmap covers all we draw."""
    cmap = TTFont(str(font_files()[FONT_NAME])).getBestCmap()
    labels = RECEIPT.labels
    printed = "".join(str(v) for v in vars(RECEIPT).values() if isinstance(v, str | tuple)) + "".join(
        vars(labels).values()
    )
    missing = {ch for ch in printed if not ch.isspace() and ord(ch) not in cmap}
    assert missing == set()


def test_renders_and_the_qr_decodes_to_the_tracking_url(receipt_pdf: Path, tmp_path: Path) -> None:
    run("pdftoppm", "-r", "150", "-png", str(receipt_pdf), str(tmp_path / "page"))
    png = tmp_path / "page-1.png"
    assert png.stat().st_size > 20_000
    decoded = run("zbarimg", "--quiet", "--raw", str(png)).split()
    assert decoded == [RECEIPT.qr_payload, RECEIPT.qr_payload]


def test_invariant_output_is_byte_identical() -> None:
    assert build_receipt_pdf(RECEIPT, invariant=True) == build_receipt_pdf(RECEIPT, invariant=True)


def test_day_close_report(tmp_path: Path) -> None:
    data = DayCloseData(
        office_name="桃園市桃園區公所",
        device_id="D01",
        day_text="115年11月21日",
        rows=(("敬老愛心卡", 3, 0),),
        case_count=3,
        fee_total=0,
        receipt_range="D01-R0000001 ～ D01-R0000003",
        gaps_text="無",
        pending_text="全部已送達市府",
        closed_text="已簽核",
    )
    path = tmp_path / "dayclose.pdf"
    path.write_bytes(build_dayclose_pdf(data))
    text = run("pdftotext", "-layout", str(path), "-")
    assert "日結報表" in text and "D01-R0000001" in text and "D01-R0000003" in text
    assert re.search(r"敬老愛心卡\s+3\s+0", text)
