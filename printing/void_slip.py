"""The void slip (作廢證明): the voided receipt keeps its number; this slip says who voided it, when and why.
Printed on the receipt's paper (A4 or 80 mm thermal)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from printing.strip import Strip
from printing.thermal import PAPER_WIDTH


@dataclass(frozen=True)
class VoidSlipData:
    office_name: str
    case_number: str
    receipt_number: str
    service_name: str
    name_masked: str
    id_masked: str
    received_text: str
    fee_text: str
    clerk: str
    voided_text: str  # ROC date and time
    voided_by: str
    approval: str  # the city's approval id, or 離線核准
    reason: str
    practice: bool = False
    refund: int = 0  # NT$ collected with the receipt, to be paid back (0: nothing was collected)


def build_void_slip_pdf(v: VoidSlipData, layout: str = "a4", invariant: bool = False) -> bytes:
    a4 = layout == "a4"
    s = Strip(A4[0] if a4 else PAPER_WIDTH, margin=20 * mm if a4 else 4 * mm)
    big, body = (16, 11) if a4 else (11, 8.5)
    s.text(v.office_name, big, bold=True, align="centre")
    s.text("收據作廢證明", big, bold=True, align="centre", red=True)
    if v.practice:
        s.text("練習模式 — 非正式文件", body, bold=True, align="centre")
    s.rule()
    for label, value in (
        ("作廢收據號碼", v.receipt_number),
        ("案件編號", v.case_number),
        ("申辦項目", v.service_name),
        ("申請人", f"{v.name_masked}　{v.id_masked}"),
        ("原收件時間", v.received_text),
        ("規費", v.fee_text),
        ("原承辦人", v.clerk),
        ("作廢時間", v.voided_text),
        ("核准主管", v.voided_by),
        ("核准編號", v.approval),
        ("作廢原因", v.reason),
    ):
        s.pair(label, value, body)
    s.rule()
    if v.refund > 0:
        s.text(f"本收據號碼保留不再使用；已收規費新臺幣 {v.refund:,} 元依規定退還。", body)
    else:
        s.text("本收據號碼保留不再使用；本案未收規費，無須退費。", body)
    s.gap(8 * mm if a4 else 4 * mm)
    s.text("民眾簽收：＿＿＿＿＿＿＿＿　　主管核章：＿＿＿＿＿＿＿＿", body)
    return s.render(f"收據作廢證明 {v.receipt_number}", invariant, page_height=A4[1] if a4 else None)
