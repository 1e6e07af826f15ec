"""一次告知單: every document still owed, listed at once, so the citizen comes back only once."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.document import a4
from printing.fonts import FONT_BOLD, FONT_NAME
from printing.text import draw


@dataclass(frozen=True)
class NoticeData:
    office_name: str
    service_name: str
    name_masked: str
    id_masked: str
    date_text: str
    owed: tuple[str, ...]
    replaced: tuple[str, ...]
    clerk: str
    phone: str  # the office's, from the city's directory ("" when it lists none)
    deadline: str  # 補正期限 in words: 請於 115年12月1日前補正（7 個工作天內） / 依承辦人通知
    practice: bool = False


def build_notice_pdf(data: NoticeData, invariant: bool = False) -> bytes:
    width, height = A4
    left = 20 * mm
    with a4(f"一次告知單 {data.service_name}", invariant) as document:
        _draw(document.canvas, data, width, height, left)
    return document.pdf


def _draw(c: Canvas, data: NoticeData, width: float, height: float, left: float) -> None:
    y = height - 25 * mm
    c.setFont(FONT_BOLD, 16)
    c.drawString(left, y, f"{data.office_name}　應備文件一次告知單" + ("（練習模式）" if data.practice else ""))
    c.setFont(FONT_NAME, 11)
    for line in (
        f"申辦項目：{data.service_name}",
        f"申請人：{data.name_masked}　　身分證統一編號：{data.id_masked}",
        f"告知日期：{data.date_text}　　承辦人：{data.clerk}",
    ):
        y -= 8 * mm
        draw(c, left, y, line, FONT_NAME, 11)
    y -= 12 * mm
    draw(c, left, y, f"補正期限：{data.deadline}", FONT_BOLD, 12)
    y -= 10 * mm
    c.setFont(FONT_BOLD, 12)
    c.drawString(left, y, "請備齊下列文件（本單一次列出全部所缺文件）：")
    c.setFont(FONT_NAME, 11)
    for i, name in enumerate(data.owed, 1):
        y -= 7 * mm
        c.drawString(left + 4 * mm, y, f"{i}. {name}")
    if data.replaced:
        y -= 12 * mm
        c.setFont(FONT_BOLD, 12)
        c.drawString(left, y, "下列文件已由本所以電子方式查驗，免附：")
        c.setFont(FONT_NAME, 11)
        for name in data.replaced:
            y -= 7 * mm
            c.drawString(left + 4 * mm, y, f"✓ {name}")
    y -= 14 * mm
    c.setFont(FONT_NAME, 10)
    c.drawString(left, y, "補正期間不計入處理期限（行政程序法第51條）。")
    y -= 6 * mm
    phone = f"　電話 {data.phone}" if data.phone else ""
    draw(c, left, y, f"洽詢：{data.office_name}{phone}　承辦人 {data.clerk}", FONT_NAME, 10)
