"""Turn ledger records into the plain data the printing layer draws (masked, formatted, translated), and write
the PDFs into the data folder."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from forms.catalog import Catalog
from forms.ids import mask_name
from forms.messages import text
from forms.rocdate import format_roc
from forms.types import Outcome
from printing.dayclose import DayCloseData, build_dayclose_pdf
from printing.notice import NoticeData, build_notice_pdf
from printing.receipt import ReceiptData, build_receipt_pdf
from sync.intake import Verification
from sync.ledger import DaySummary, Device, SavedCase

if TYPE_CHECKING:
    from desktop.bootstrap import Services

PAYMENT_NAMES = {"cash": "現金", "card": "信用卡／行動支付", "transfer": "轉帳", "none": "免繳"}
UNKNOWN_TEXT = "依機關公告"


def service_kind_text(kind: str) -> str:
    return "跨區申辦（本所辦理）" if kind == "申辦" else "跨區收件（轉戶籍地區公所辦理）"


def due_text(time_limit_days: int | None, due: date | None = None) -> str:
    if time_limit_days is None:
        return f"{UNKNOWN_TEXT}（處理期限未公告）"
    if time_limit_days == 0:
        return "當場核發"
    limit = f"{time_limit_days} 個工作天，補正期間不計"
    return f"{format_roc(due)}（{limit}）" if due else limit


def fee_text(fee: int | None, payment_method: str, note: str = "") -> str:
    if fee is None:
        return UNKNOWN_TEXT + (f"（{note}）" if note else "")
    if fee == 0:
        return "免費" + (f"（{note}）" if note else "")
    return f"新臺幣 {fee:,} 元（{PAYMENT_NAMES.get(payment_method, payment_method)}）"


def decision_text(case: SavedCase) -> str:
    base = f"{text(case.decision.message_code)}（{case.status}）"
    if case.override is not None:
        base += f"；經主管{case.override.supervisor}核准受理：{case.override.reason}"
    return base


def track_url(track_base: str, case: SavedCase, signature: str) -> str:
    """The QR's address: the public progress page of the case, with the device's signature (no personal data)."""
    return f"{track_base.rstrip('/')}/track/{case.case_number}?sig={signature}"


def receipt_data(case: SavedCase, catalog: Catalog, device: Device, qr_payload: str, practice: bool) -> ReceiptData:
    service = catalog.get(case.service_code)
    # Several rules can share one reason (e.g. every household rule while offline): print it once.
    reasons = tuple(dict.fromkeys(text(r.code, **r.params) for r in case.reasons if r.outcome is not Outcome.PASS))
    owed = set(case.documents_owed)
    return ReceiptData(
        office_name=device.office.name,
        case_number=case.case_number,
        receipt_number=case.receipt_number,
        service_name=service.name_zh,
        service_kind=service_kind_text(service.cross_district),
        name_masked=mask_name(case.applicant_name),
        id_masked=case.id_masked,
        received_text=f"{format_roc(case.received_at.date())} {case.received_at:%H:%M}",
        due_text=due_text(service.time_limit_days, case.due_date),
        decision_text=decision_text(case),
        reasons=reasons,
        fee_text=fee_text(case.fee if service.fee is not None else None, case.payment_method, service.fee_note),
        clerk=case.clerk,
        qr_payload=qr_payload,
        replaced_docs=tuple(d.name for d in service.documents if d.replaced_by and d.name not in owed),
        owed_docs=case.documents_owed,
        practice=practice,
    )


def dayclose_data(summary: DaySummary, catalog: Catalog, device: Device, practice: bool) -> DayCloseData:
    def name(code: str) -> str:
        try:
            return catalog.get(code).name_zh
        except Exception:  # a case from a service no longer in the catalog still counts
            return code

    gaps = "無" if not summary.receipt_gaps else "、".join(str(g) for g in summary.receipt_gaps)
    return DayCloseData(
        office_name=device.office.name,
        device_id=device.device_id,
        day_text=format_roc(summary.business_date),
        rows=tuple((name(code), n, fees) for code, (n, fees) in sorted(summary.by_service.items())),
        case_count=summary.case_count,
        fee_total=summary.fee_total,
        receipt_range=(
            f"{summary.first_receipt} ～ {summary.last_receipt}" if summary.first_receipt else "本日未開立收據"
        ),
        gaps_text=gaps,
        pending_text="全部已送達市府" if summary.pending_sync == 0 else f"尚有 {summary.pending_sync} 件未送達市府",
        closed_text="已簽核" if summary.closed else "未簽核",
        audit_text=audit_text(summary.audit_break),
        practice=practice,
    )


def audit_text(first_bad: int | None) -> str:
    return "雜湊鏈完整" if first_bad is None else f"第 {first_bad} 筆起遭更動或刪除，請通報資安窗口"


def notice_data(v: Verification, device: Device, clerk: str, day: date, practice: bool) -> NoticeData:
    return NoticeData(
        office_name=device.office.name,
        service_name=v.service.name_zh,
        name_masked=mask_name(v.applicant.name),
        id_masked=v.applicant.national_id.masked(),
        date_text=format_roc(day),
        owed=tuple(d.name for d in v.documents.owed),
        replaced=tuple(d.name for d in v.documents.replaced),
        clerk=clerk,
        contact=device.office.name,
        practice=practice,
    )


def write_reprint(case: SavedCase, services: Services) -> Path:
    """A copy of a receipt, marked 補印 with the time, as <case number>-補印<n>.pdf (the original stays as it was)."""
    count = services.ledger.record_reprint(case.case_uuid)
    now = services.now()
    return write_receipt(case, services, reprinted=(f"{format_roc(now.date())} {now:%H:%M}", count))


def write_receipt(case: SavedCase, services: Services, reprinted: tuple[str, int] | None = None) -> Path:
    """Render the receipt and write it atomically as <case number>.pdf; returns the path."""
    assert services.signer is not None
    url = track_url(services.track_base, case, services.signer.sign(case.case_number, case.receipt_number))
    data = receipt_data(case, services.catalog, services.device, url, services.practice)
    if reprinted is None:
        return _write_atomic(services.receipts_dir / f"{case.case_number}.pdf", build_receipt_pdf(data))
    when, count = reprinted
    copy = replace(data, reprinted=when)
    return _write_atomic(services.receipts_dir / f"{case.case_number}-補印{count}.pdf", build_receipt_pdf(copy))


def write_notice(v: Verification, services: Services) -> Path:
    data = notice_data(v, services.device, services.intake.clerk, services.today(), services.practice)
    return _write_atomic(services.data_dir / "notices" / f"notice-{v.case_uuid}.pdf", build_notice_pdf(data))


def write_dayclose(summary: DaySummary, services: Services) -> Path:
    pdf = build_dayclose_pdf(dayclose_data(summary, services.catalog, services.device, services.practice))
    name = f"dayclose-{summary.business_date.isoformat()}-{services.device.device_id}.pdf"
    return _write_atomic(services.data_dir / "dayclose" / name, pdf)


def _write_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
