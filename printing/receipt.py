"""The intake receipt (收件回執): A4, citizen part (民眾收執聯) above the fold, office stub (存根聯) below.

Plain, already-masked data in; PDF bytes out. The full ID never reaches this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.document import a4
from printing.fonts import FONT_BOLD, FONT_NAME
from printing.qr import draw_qr
from printing.text import draw, wrap


@dataclass(frozen=True)
class ReceiptLabels:
    """Printed captions (zh-TW by default); the desktop may pass another language's."""

    title: str = "人民申請案件收件回執"
    citizen_part: str = "民眾收執聯"
    office_part: str = "存根聯"
    case_number: str = "案件編號"
    receipt_number: str = "收據號碼"
    service: str = "申辦項目"
    applicant: str = "申請人"
    national_id: str = "身分證統一編號"
    received: str = "收件時間"
    due: str = "預定完成"
    decision: str = "初審結果"
    documents: str = "免附文件"
    shown: str = "已驗文件"
    owed: str = "待補文件"
    fee: str = "規費"
    clerk: str = "承辦人"
    track: str = "掃描 QR 碼可查詢辦理進度"
    practice: str = "練習模式 — 非正式收據"
    reprint: str = "補印"
    verify_code: str = "驗證碼"


@dataclass(frozen=True)
class ReceiptData:
    office_name: str
    case_number: str
    receipt_number: str
    service_name: str
    service_kind: str  # e.g. 跨區申辦（本所辦理）
    name_masked: str
    id_masked: str
    received_text: str  # ROC date and time
    due_text: str
    decision_text: str
    reasons: tuple[str, ...]
    fee_text: str
    clerk: str
    qr_payload: str
    replaced_docs: tuple[str, ...] = ()
    owed_docs: tuple[str, ...] = ()
    shown_docs: tuple[str, ...] = ()  # shown at the counter and checked (已驗)
    practice: bool = False
    reprinted: str | None = None  # when set (ROC date and time), the copy is marked 補印 with it
    verify_code: str = ""  # short code for checking progress by hand (XXXX-XXXX)
    track_hint: str = ""  # where to check progress, e.g. the track page's address
    labels: ReceiptLabels = field(default_factory=ReceiptLabels)


PAGE_W, PAGE_H = A4
MARGIN = 18 * mm


def receipt_rows(r: ReceiptData) -> list[tuple[str, str]]:
    """What a receipt says, label and value, in order (both layouts print these)."""
    lab = r.labels
    rows = [
        (lab.case_number, r.case_number),
        (lab.receipt_number, r.receipt_number),
        (lab.service, f"{r.service_name}　{r.service_kind}"),
        (lab.applicant, r.name_masked),
        (lab.national_id, r.id_masked),
        (lab.received, r.received_text),
        (lab.due, r.due_text),
        (lab.decision, r.decision_text),
        (lab.fee, r.fee_text),
        (lab.clerk, r.clerk),
    ]
    if r.replaced_docs:
        rows.append((lab.documents, "、".join(r.replaced_docs)))
    if r.shown_docs:
        rows.append((lab.shown, "、".join(r.shown_docs)))
    if r.owed_docs:
        rows.append((lab.owed, "、".join(r.owed_docs)))
    return rows


def _part(c: Canvas, r: ReceiptData, top: float, part_name: str) -> None:
    """Draw one part of the receipt starting at `top` (points from the bottom)."""
    lab = r.labels
    c.setFont(FONT_BOLD, 15)
    c.drawString(MARGIN, top, f"{r.office_name}　{lab.title}")
    c.setFont(FONT_NAME, 10)
    c.drawRightString(PAGE_W - MARGIN, top, f"（{part_name}）")
    if r.reprinted:
        c.saveState()
        c.setFillColorRGB(0.7, 0.1, 0.1)
        c.setFont(FONT_BOLD, 11)
        c.drawRightString(PAGE_W - MARGIN, top + 5 * mm, f"{lab.reprint}　{r.reprinted}")
        c.restoreState()
    y = top - 9 * mm
    rows = receipt_rows(r)
    value_width = PAGE_W - 2 * MARGIN - 30 * mm - 38 * mm  # leave room for the QR code
    for label, value in rows:
        c.setFont(FONT_BOLD, 10.5)
        c.drawString(MARGIN, y, label)
        for line in wrap(value, value_width, FONT_NAME, 10.5)[:2]:
            draw(c, MARGIN + 30 * mm, y, line, FONT_NAME, 10.5)
            y -= 5.2 * mm
    for reason in r.reasons[:4]:
        for line in wrap(f"・{reason}", value_width + 30 * mm, FONT_NAME, 9)[:2]:
            draw(c, MARGIN + 30 * mm, y, line, FONT_NAME, 9)
            y -= 4.4 * mm
    qr_size = 34 * mm
    centre = PAGE_W - MARGIN - qr_size / 2
    draw_qr(c, r.qr_payload, PAGE_W - MARGIN - qr_size, top - 8 * mm - qr_size, qr_size)
    c.setFont(FONT_NAME, 8)
    c.drawCentredString(centre, top - 11 * mm - qr_size, lab.track)
    if r.verify_code:
        c.setFont(FONT_BOLD, 10)
        c.drawCentredString(centre, top - 16 * mm - qr_size, f"{lab.verify_code}　{r.verify_code}")
    if r.track_hint:
        c.setFont(FONT_NAME, 7)
        for n, line in enumerate(wrap(r.track_hint, 48 * mm, FONT_NAME, 7)[:3]):
            c.drawCentredString(centre, top - 20 * mm - qr_size - n * 3.2 * mm, line)


def build_receipt_pdf(receipt: ReceiptData, invariant: bool = False) -> bytes:
    """Render the receipt. invariant=True gives identical bytes for identical input (golden-file tests)."""
    with a4(f"{receipt.labels.title} {receipt.case_number}", invariant) as document:
        _draw(document.canvas, receipt)
    return document.pdf


def _draw(c: Canvas, receipt: ReceiptData) -> None:
    c.setAuthor(receipt.office_name)
    c.setSubject(receipt.service_name)
    if receipt.practice:
        c.saveState()
        c.setFont(FONT_BOLD, 40)
        c.setFillColorRGB(0.85, 0.85, 0.85)
        c.translate(PAGE_W / 2, PAGE_H / 2)
        c.rotate(30)
        c.drawCentredString(0, 0, receipt.labels.practice)
        c.restoreState()
    _part(c, receipt, PAGE_H - MARGIN - 4 * mm, receipt.labels.citizen_part)
    c.setDash(4, 3)
    c.line(MARGIN / 2, PAGE_H / 2, PAGE_W - MARGIN / 2, PAGE_H / 2)
    c.setDash()
    _part(c, receipt, PAGE_H / 2 - MARGIN, receipt.labels.office_part)
