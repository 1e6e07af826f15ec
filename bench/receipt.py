"""One receipt PDF (warm) against a bare reportlab page with the same embedded font and the same QR code."""

from __future__ import annotations

import io
from dataclasses import replace
from itertools import count
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from bench.common import emit, median, timed
from printing.fonts import FONT_NAME, register_fonts
from printing.qr import draw_qr
from printing.receipt import ReceiptData, build_receipt_pdf
from printing.thermal import build_thermal_receipt_pdf

RECEIPT = ReceiptData(
    office_name="桃園市桃園區公所",
    case_number="68000010-D01-1151121-0042",
    receipt_number="D01-R0000042",
    service_name="敬老愛心卡",
    service_kind="跨區申辦（本所辦理）",
    name_masked="龔○瑄",
    id_masked="H22345****",
    received_text="115年11月21日 10:42",
    due_text="115年11月24日（3 個工作天，補正期間不計）",
    decision_text="符合資格（已受理）",
    reasons=(),
    fee_text="免費（初次申請免費）",
    clerk="櫃台承辦人",
    qr_payload="http://127.0.0.1:8787/track/68000010-D01-1151121-0042?sig=3f2a9c0d1e2b.q8Jv3N8m2X1k0aZ7c5tYb6wQh4Lr9sPd0eFg2HiJkLmNoPqRsTuVwXyZ01234567",
    verify_code="K7QZ-M2PA",
    track_hint="或至 http://127.0.0.1:8787/track 輸入案件編號與驗證碼",
)


_serial = count()


def fresh() -> ReceiptData:
    """Every receipt has its own QR payload (as at the counter): nothing is served from the QR cache."""
    return replace(RECEIPT, qr_payload=f"{RECEIPT.qr_payload}{next(_serial)}")


def bare_page(receipt: ReceiptData) -> bytes:
    """The floor: one A4 page, the same font embedded (subset), the same text length, the same QR."""
    register_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setFont(FONT_NAME, 10.5)
    text = "".join(str(v) for v in vars(receipt).values() if isinstance(v, str))
    for n in range(0, len(text), 40):
        c.drawString(50, 800 - n / 2, text[n : n + 40])
    draw_qr(c, receipt.qr_payload, 400, 600, 96)
    c.showPage()
    c.save()
    return buffer.getvalue()


def run(_work: Path, runs: int = 30) -> None:
    build_receipt_pdf(fresh()), bare_page(fresh()), build_thermal_receipt_pdf(fresh())  # warm: fonts parsed
    receipt = timed(lambda: build_receipt_pdf(fresh()), runs)
    bare = timed(lambda: bare_page(fresh()), runs)
    thermal = timed(lambda: build_thermal_receipt_pdf(fresh()), runs)
    size = len(build_receipt_pdf(RECEIPT)) / 1024
    emit("receipt_pdf_a4", median(receipt) * 1000, median(bare) * 1000, "ms", f"{runs} runs, {size:.0f} KB")
    emit("receipt_pdf_80mm", median(thermal) * 1000, median(bare) * 1000, "ms", f"{runs} runs")
