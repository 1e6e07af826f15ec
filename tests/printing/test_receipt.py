"""Receipt and day-close PDFs: real files, read back with poppler and zbar as a person's tools would."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from printing.fonts import FONT_FALLBACK, FONT_NAME, font_files
from printing.receipt import ReceiptData, build_receipt_pdf
from printing.report import Chart, ReportData, ReportTable, build_report_pdf
from printing.text import runs
from printing.thermal import build_thermal_receipt_pdf
from printing.void_slip import VoidSlipData, build_void_slip_pdf

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
    reasons=("未滿65歲（64歲），115年12月1日起符合。", "戶籍不在桃園市（目前設籍臺南市）。"),
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


def test_a_rare_name_prints_in_the_fallback_font_never_as_a_box(tmp_path: Path) -> None:
    """CJK Extension B characters (𡒄, 𪜶) are not in Noto Sans TC: they are drawn from the fallback font."""
    rare = replace(RECEIPT, name_masked="𡒄○𪜶")
    for name, pdf in (("a4", build_receipt_pdf(rare)), ("thermal", build_thermal_receipt_pdf(rare))):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        fonts = run("pdffonts", str(path))
        assert FONT_FALLBACK in fonts, fonts
        assert "𡒄○𪜶" in run("pdftotext", str(path), "-")  # extracted back: real glyphs with a Unicode map
    drawn = "".join(chunk for chunk, font in runs("𡒄○𪜶", FONT_NAME) if font == FONT_FALLBACK)
    assert drawn == "𡒄𪜶"


def test_thermal_receipt_is_80_mm_wide_with_a_decodable_qr(tmp_path: Path) -> None:
    data = replace(RECEIPT, verify_code="K7QZ-M2PA", track_hint="或至 http://127.0.0.1:8787/track 輸入案件編號與驗證碼")
    path = tmp_path / "thermal.pdf"
    path.write_bytes(build_thermal_receipt_pdf(data))
    info = run("pdfinfo", str(path))
    width, height = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
    assert round(width / 72 * 25.4) == 80 and height > width  # a strip as long as its content
    text = run("pdftotext", "-layout", str(path), "-")
    assert text.count(RECEIPT.case_number) == 2 and "H22345****" in text and "K7QZ-M2PA" in text
    assert not re.search(r"[A-Z][1289]\d{8}", text + info)
    run("pdftoppm", "-r", "200", "-png", str(path), str(tmp_path / "strip"))
    assert run("zbarimg", "--quiet", "--raw", str(tmp_path / "strip-1.png")).split() == [RECEIPT.qr_payload]


@pytest.mark.parametrize("layout", ["a4", "thermal80"])
def test_void_slip(tmp_path: Path, layout: str) -> None:
    slip = VoidSlipData(
        office_name="桃園市桃園區公所",
        case_number=RECEIPT.case_number,
        receipt_number=RECEIPT.receipt_number,
        service_name="敬老愛心卡",
        name_masked="龔○瑄",
        id_masked="H22345****",
        received_text="115年11月21日 10:42",
        fee_text="新臺幣 80 元（現金）",
        clerk="櫃台承辦人",
        voided_text="115年11月21日 11:05",
        voided_by="主管甲",
        approval="5f0c6a1e-0b7e-4a43-9a55-d0e1d1b0c0de",
        reason="民眾當場改申請其他項目",
    )
    path = tmp_path / "void.pdf"
    path.write_bytes(build_void_slip_pdf(slip, layout))
    text = run("pdftotext", "-layout", str(path), "-")
    assert "收據作廢證明" in text and RECEIPT.receipt_number in text and "民眾當場改申請其他項目" in text
    assert "H22345****" in text and not re.search(r"[A-Z][1289]\d{8}", text)


def report_data(rows: int) -> ReportData:
    cases = tuple(
        (f"68000010-D01-1151121-{n:04d}", "敬老愛心卡", "櫃台甲", "115年11月24日", "即將到期") for n in range(rows)
    )
    return ReportData(
        office_name="桃園市桃園區公所",
        title="日結報表",
        subtitle="營業日：115年11月21日　設備：D01　未簽核",
        footer="日結報表 115年11月21日 D01",
        summary=(("有效案件", f"{rows} 件"), ("收據號碼", "D01-R0000001 ～ D01-R0000003")),
        tables=(
            ReportTable("各申辦項目", ("申辦項目", "件數"), (("敬老愛心卡", str(rows)),), numeric=(1,)),
            ReportTable(
                "逾期預警",
                ("案件編號", "申辦項目", "承辦人", "處理期限", "狀態"),
                cases,
                alert=True,
                weights=(3, 2, 1, 1.5, 1),
            ),
            ReportTable("作廢收據", ("收據號碼",), ()),
        ),
        charts=(
            Chart("每小時收件數", tuple((f"{h:02d}", h % 5) for h in range(8, 18))),
            Chart("各項目收件數", (("敬老愛心卡", rows), ("身心障礙者專用停車位識別證", 1)), horizontal=True),
        ),
        problems=("收據號碼缺漏：D01-R0000002",),
    )


def test_day_close_report_flows_over_pages_with_charts(tmp_path: Path) -> None:
    path = tmp_path / "dayclose.pdf"
    path.write_bytes(build_report_pdf(report_data(120)))
    text = run("pdftotext", "-layout", str(path), "-")
    assert "日結報表" in text and "D01-R0000001" in text and "每小時收件數" in text and "各項目收件數" in text
    assert "68000010-D01-1151121-0119" in text  # the last row of a long table is on a later page
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))  # type: ignore[union-attr]
    assert "收據號碼缺漏" in text and pages >= 3 and re.search(rf"第\s*{pages}\s*頁", text)
    assert build_report_pdf(report_data(3), invariant=True) == build_report_pdf(report_data(3), invariant=True)


def test_a_void_slip_promises_a_refund_only_of_what_was_collected() -> None:
    import subprocess
    import tempfile
    from pathlib import Path

    from printing.void_slip import VoidSlipData, build_void_slip_pdf

    base = VoidSlipData("桃園市桃園區公所", "68000010-D0007-1151120-0001", "D0007-R0000041", "敬老愛心卡", "王○明",
                        "H12345****", "115年11月20日 09:05", "免費", "amy", "115年11月20日 11:02", "chief-test",
                        "離線核准", "重複受理")  # fmt: skip
    seen = {}
    for refund in (0, 80):
        with tempfile.TemporaryDirectory() as folder:
            pdf = Path(folder) / "slip.pdf"
            pdf.write_bytes(build_void_slip_pdf(VoidSlipData(**{**base.__dict__, "refund": refund})))
            shown = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
            seen[refund] = "".join(shown.split())
    assert "本案未收規費，無須退費" in seen[0] and "退還" not in seen[0]
    assert "已收規費新臺幣80元依規定退還" in seen[80]
