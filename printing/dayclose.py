"""The day-close report (日結報表): counts and fees per service, receipt range and gaps, sync state."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.document import a4
from printing.fonts import FONT_BOLD, FONT_NAME


@dataclass(frozen=True)
class DayCloseData:
    office_name: str
    device_id: str
    day_text: str  # ROC date
    rows: tuple[tuple[str, int, int], ...]  # (service name, cases, fees NT$)
    case_count: int
    fee_total: int
    receipt_range: str
    gaps_text: str
    pending_text: str
    closed_text: str
    audit_text: str = ""
    practice: bool = False


def build_dayclose_pdf(data: DayCloseData, invariant: bool = False) -> bytes:
    width, height = A4
    left = 20 * mm
    with a4(f"日結報表 {data.day_text}", invariant) as document:
        _draw(document.canvas, data, width, height, left)
    return document.pdf


def _draw(c: Canvas, data: DayCloseData, width: float, height: float, left: float) -> None:
    y = height - 25 * mm
    c.setFont(FONT_BOLD, 16)
    c.drawString(left, y, f"{data.office_name}　日結報表")
    c.setFont(FONT_NAME, 10.5)
    y -= 8 * mm
    c.drawString(
        left, y, f"營業日：{data.day_text}　　設備：{data.device_id}" + ("　　（練習模式）" if data.practice else "")
    )
    y -= 12 * mm
    c.setFont(FONT_BOLD, 11)
    c.drawString(left, y, "申辦項目")
    c.drawRightString(left + 120 * mm, y, "件數")
    c.drawRightString(left + 160 * mm, y, "規費（元）")
    c.line(left, y - 2 * mm, left + 165 * mm, y - 2 * mm)
    c.setFont(FONT_NAME, 11)
    for name, count, fees in data.rows:
        y -= 7 * mm
        c.drawString(left, y, name)
        c.drawRightString(left + 120 * mm, y, f"{count:,}")
        c.drawRightString(left + 160 * mm, y, f"{fees:,}")
    y -= 4 * mm
    c.line(left, y, left + 165 * mm, y)
    y -= 6 * mm
    c.setFont(FONT_BOLD, 11)
    c.drawString(left, y, "合計")
    c.drawRightString(left + 120 * mm, y, f"{data.case_count:,}")
    c.drawRightString(left + 160 * mm, y, f"{data.fee_total:,}")
    c.setFont(FONT_NAME, 11)
    for line in (
        f"收據號碼：{data.receipt_range}",
        f"號碼缺漏：{data.gaps_text}",
        f"同步狀態：{data.pending_text}",
        f"查驗稽核軌跡：{data.audit_text}",
        f"簽核：{data.closed_text}",
    ):
        y -= 9 * mm
        c.drawString(left, y, line)
