"""Turn ledger records into the plain data the printing layer draws (masked, formatted, translated)."""

from __future__ import annotations

from pathlib import Path

from forms.catalog import Catalog
from forms.ids import mask_name
from forms.messages import text
from forms.rocdate import format_roc
from forms.types import Outcome
from printing.dayclose import DayCloseData, build_dayclose_pdf
from printing.receipt import ReceiptData, build_receipt_pdf
from sync.ledger import DaySummary, Device, SavedCase

PAYMENT_NAMES = {"cash": "現金", "none": "免繳"}


def service_kind_text(kind: str) -> str:
    return "跨區申辦（本所辦理）" if kind == "申辦" else "跨區收件（轉戶籍地區公所辦理）"


def due_text(time_limit_days: int) -> str:
    return "當場核發" if time_limit_days == 0 else f"{time_limit_days} 個工作天內（補正期間不計）"


def fee_text(fee: int, payment_method: str, note: str = "") -> str:
    if fee == 0:
        return "免費" + (f"（{note}）" if note else "")
    return f"新臺幣 {fee:,} 元（{PAYMENT_NAMES.get(payment_method, payment_method)}）"


def receipt_data(case: SavedCase, catalog: Catalog, device: Device, track_base: str, practice: bool) -> ReceiptData:
    service = catalog.get(case.service_code)
    reasons = tuple(text(r.code, **r.params) for r in case.reasons if r.outcome is not Outcome.PASS)
    return ReceiptData(
        office_name=device.office.name,
        case_number=case.case_number,
        receipt_number=case.receipt_number,
        service_name=service.name_zh,
        service_kind=service_kind_text(service.cross_district),
        name_masked=mask_name(case.applicant_name),
        id_masked=case.id_masked,
        received_text=f"{format_roc(case.received_at.date())} {case.received_at:%H:%M}",
        due_text=due_text(service.time_limit_days),
        decision_text=f"{text(case.decision.message_code)}（{case.status}）",
        reasons=reasons,
        fee_text=fee_text(case.fee, case.payment_method, service.fee_note),
        clerk=case.clerk,
        qr_payload=f"{track_base.rstrip('/')}/track/{case.case_number}",
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
        practice=practice,
    )


def write_receipt(
    case: SavedCase, catalog: Catalog, device: Device, track_base: str, practice: bool, folder: Path
) -> Path:
    """Render the receipt and write it atomically as <case number>.pdf; returns the path."""
    pdf = build_receipt_pdf(receipt_data(case, catalog, device, track_base, practice))
    return _write_atomic(folder / f"{case.case_number}.pdf", pdf)


def write_dayclose(summary: DaySummary, catalog: Catalog, device: Device, practice: bool, folder: Path) -> Path:
    pdf = build_dayclose_pdf(dayclose_data(summary, catalog, device, practice))
    return _write_atomic(folder / f"dayclose-{summary.business_date.isoformat()}-{device.device_id}.pdf", pdf)


def _write_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
