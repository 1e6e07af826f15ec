"""The receipt on 80 mm thermal paper (chosen in settings): the citizen's part, a tear line, the office stub.

The same ReceiptData as the A4 receipt: already masked, no full ID ever reaches this module."""

from __future__ import annotations

from reportlab.lib.units import mm

from printing.receipt import ReceiptData, receipt_rows
from printing.strip import Strip

PAPER_WIDTH = 80 * mm


def build_thermal_receipt_pdf(r: ReceiptData, invariant: bool = False) -> bytes:
    lab = r.labels
    s = Strip(PAPER_WIDTH)
    s.text(r.office_name, 11, bold=True, align="centre")
    s.text(lab.title, 10, bold=True, align="centre")
    s.text(f"（{lab.citizen_part}）", 8, align="centre")
    if r.reprinted:
        s.text(f"{lab.reprint}　{r.reprinted}", 9, bold=True, align="centre", red=True)
    if r.practice:
        s.text(lab.practice, 9, bold=True, align="centre")
    s.rule()
    for label, value in receipt_rows(r):
        s.pair(label, value)
    for reason in r.reasons[:4]:
        s.text(f"・{reason}", 7.5)
    s.rule()
    s.gap(1 * mm)
    s.qr(r.qr_payload, 38 * mm)
    s.text(lab.track, 7.5, align="centre")
    if r.verify_code:
        s.text(f"{lab.verify_code}　{r.verify_code}", 10, bold=True, align="centre")
    if r.track_hint:
        s.text(r.track_hint, 7, align="centre")
    s.gap(2 * mm)
    s.text("－－－ 請沿虛線撕下 －－－", 7, align="centre")
    s.rule(dashed=True)
    s.text(f"（{lab.office_part}）", 8, align="centre")
    for label, value in (
        (lab.case_number, r.case_number),
        (lab.receipt_number, r.receipt_number),
        (lab.service, r.service_name),
        (lab.applicant, f"{r.name_masked}　{r.id_masked}"),
        (lab.received, r.received_text),
        (lab.fee, r.fee_text),
        (lab.clerk, r.clerk),
    ):
        s.pair(label, value, 8)
    if r.reprinted:
        s.text(f"{lab.reprint}　{r.reprinted}", 8, bold=True, red=True)
    return s.render(f"{lab.title} {r.case_number}", invariant)
