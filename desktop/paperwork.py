"""Turn ledger records into the plain data the printing layer draws (masked, formatted, translated), and write
the PDFs into the data folder."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from forms.cashcount import pieces_text
from forms.catalog import Catalog
from forms.dayclose import CashLine, ClerkLine, DayClose
from forms.dayfacts import VoidRecord
from forms.errors import DomainError
from forms.messages import text
from forms.names import on_paper
from forms.offices import NO_DIRECTORY, OfficeDirectory
from forms.payment import WAIVED
from forms.review import CHANGES, STILL_ELIGIBLE
from forms.rocdate import format_roc
from forms.terms import CaseTerms, fee_words, promise_words, terms_of_earlier_case
from forms.timelimits import DueDate, TimeLimit
from forms.types import Outcome
from printing.notice import NoticeData, build_notice_pdf
from printing.receipt import ReceiptData, build_receipt_pdf
from printing.report import Chart, ReportData, ReportTable, build_report_pdf
from printing.thermal import build_thermal_receipt_pdf
from printing.void_slip import VoidSlipData, build_void_slip_pdf
from sync.ledger import Device, SavedCase
from sync.ledger.private_files import private_dir, write_private
from sync.ledger.reviews import ReviewLine, ReviewRun
from sync.ledger.settings import DEVICE_SETTINGS
from sync.protocol.receipt_signing import short_code
from sync.services.intake import Verification

if TYPE_CHECKING:
    from desktop.bootstrap import Services

PAYMENT_NAMES = {"cash": "現金", "card": "信用卡／行動支付", "transfer": "轉帳", "none": "免繳", WAIVED: "免徵"}
LAYOUT_NAMES = DEVICE_SETTINGS["receipt_layout"].choices
LISTED = 200  # case numbers on paper per list
CORRECTION_NAMES = {"void": "作廢退費", "refund": "退費", "note": "註記"}


def service_kind_text(kind: str) -> str:
    return "跨區申辦（本所辦理）" if kind == "申辦" else "跨區收件（轉戶籍地區公所辦理）"


def case_terms(case: SavedCase, catalog: Catalog) -> CaseTerms:
    """The terms the case's receipt promised: stored with the case, or (a case taken before they were stored)
    decided again from the case."""
    if case.terms is not None:
        return case.terms
    service = catalog.get(case.service_code)
    return terms_of_earlier_case(
        service, case.decision, case.override is not None, case.due_date, case.documents_owed, case.fee
    )


def fee_text(fee: int | None, payment_method: str, note: str = "", waiver: str = "") -> str:
    """The fee in words (forms.terms.fee_words) with the payment method's name, or the ground it was waived on."""
    return fee_words(fee, note, PAYMENT_NAMES.get(payment_method, payment_method), waiver)


def case_fee_text(case: SavedCase, terms: CaseTerms) -> str:
    return fee_text(terms.fee, case.payment_method, terms.fee_note, terms.waiver)


def decision_text(case: SavedCase) -> str:
    outcome = text(case.decision.message_code)
    base = outcome if case.status == outcome else f"{outcome}（{case.status}）"
    if case.override is not None:
        base += f"；經主管{case.override.supervisor}核准受理：{case.override.reason}"
    return base


def track_url(track_base: str, case: SavedCase, signature: str) -> str:
    """The QR's address: the public progress page of the case, with the device's signature (no personal data)."""
    return f"{track_base.rstrip('/')}/track/{case.case_number}?sig={signature}"


def receipt_data(case: SavedCase, catalog: Catalog, device: Device, qr_payload: str, practice: bool) -> ReceiptData:
    service = catalog.get(case.service_code)
    terms = case_terms(case, catalog)
    # Several rules can share one reason (e.g. every household rule while offline): print it once.
    reasons = tuple(dict.fromkeys(text(r.code, **r.params) for r in case.reasons if r.outcome is not Outcome.PASS))
    return ReceiptData(
        office_name=device.office.name,
        case_number=case.case_number,
        receipt_number=case.receipt_number,
        service_name=service.name_zh,
        service_kind=service_kind_text(service.cross_district),
        name_masked=on_paper(case.applicant_name),
        id_masked=case.id_masked,
        received_text=f"{format_roc(case.received_at.date())} {case.received_at:%H:%M}",
        due_text=promise_words(terms),
        decision_text=decision_text(case),
        reasons=reasons,
        fee_text=case_fee_text(case, terms),
        clerk=case.clerk,
        qr_payload=qr_payload,
        replaced_docs=terms.exempt,
        owed_docs=terms.owed,
        shown_docs=terms.shown,
        practice=practice,
    )


def service_name(catalog: Catalog, code: str) -> str:
    """A service's name for people; its code when the catalog no longer lists it."""
    try:
        return catalog.get(code).name_zh
    except DomainError:  # a case from a service no longer in the catalog still counts
        return code


def money(fees: dict[str, int]) -> str:
    if not fees:
        return "—"
    return "、".join(f"{PAYMENT_NAMES.get(m, m)} {v:,}" for m, v in fees.items())


def clerk_fees_text(line: ClerkLine) -> str:
    """A clerk's fees by method, and how many fees were waived (免徵) rather than collected."""
    waived = f"免徵 {line.waived} 件" if line.waived else ""
    if not line.fees:
        return waived or "—"
    return money(line.fees) + (f"；{waived}" if waived else "")


def status_text(report: DayClose) -> str:
    close = report.close
    if close is None:
        return "未簽核"
    return (
        f"已簽核（{close.closed_by}，{format_roc(close.closed_at.date())} {close.closed_at:%H:%M}，"
        f"報表雜湊 {close.report_hash[:12]}）"
    )


def _capped(rows: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """At most LISTED rows on paper; a last row says how many more the window shows."""
    if len(rows) <= LISTED:
        return tuple(rows)
    more = f"另 {len(rows) - LISTED:,} 件，請於系統中查閱"
    return (*rows[:LISTED], ("…", more, *[""] * (len(rows[0]) - 2)) if len(rows[0]) > 1 else (f"…{more}",))


def office_hours(per_hour: dict[int, int]) -> tuple[tuple[str, int], ...]:
    """Cases per hour over the whole office day (08–17), and any hour outside it that had cases."""
    hours = range(min(8, *per_hour), max(17, *per_hour) + 1) if per_hour else range(8, 18)
    return tuple((f"{h:02d}", per_hour.get(h, 0)) for h in hours)


def problem_lines(report: DayClose) -> tuple[str, ...]:
    return tuple(text(p.code, **p.params) for p in report.problems())


def cash_note(line: CashLine) -> str:
    """The explanation of a clerk's cash, with its count by note and coin when there is one."""
    pieces = f"面額：{pieces_text(line.pieces)}" if line.pieces else ""
    return "；".join(part for part in (line.explanation.strip(), pieces) if part)


def dayclose_data(
    report: DayClose, cash: tuple[CashLine, ...], note: str, catalog: Catalog, device: Device, practice: bool
) -> ReportData:
    """The day close as the printed report shows it: formatted, no citizen's name or ID. Overdue cases are
    listed one by one (up to LISTED); cases near their due date are counted per service and date (a
    busy office has thousands; the window lists them)."""
    overdue = [d for d in report.due if d.overdue]
    c = report.comparison
    compared = (
        f"市府持有 {c.held} 件；本機獨有 {len(c.only_device)} 件、市府獨有 {len(c.only_server)} 件、"
        f"內容不一致 {len(c.differing)} 件"
        if c.compared
        else "未能比對（無法連線市府伺服器）"
    )
    summary = (
        ("有效案件", f"{report.cases:,} 件（作廢 {report.voided} 件）"),
        (
            "規費合計",
            f"{report.fee_total:,} 元"
            + (f"（{money(report.fees)}）" if report.fees else "")
            + (f"；免徵 {report.waived} 件" if report.waived else ""),
        ),
        ("應收現金", f"{report.cash_expected:,} 元"),
        (
            "收據號碼",
            f"{report.first_receipt} ～ {report.last_receipt}" if report.first_receipt else "本日未開立收據",
        ),
        ("號碼缺漏", "、".join(report.gaps) or "無"),
        ("同步狀態", f"尚有 {len(report.pending_sync)} 件未送達市府" if report.pending_sync else "全部已送達市府"),
        ("與市府比對", compared),
        ("查驗稽核軌跡", audit_text(report.audit_break)),
    )
    tables = (
        ReportTable(
            "各承辦人",
            ("承辦人", "件數", "作廢", "規費（依付款方式）", "應收現金"),
            tuple(
                (k.clerk, f"{k.cases:,}", f"{k.voided}", clerk_fees_text(k), f"{k.cash_expected:,}")
                for k in report.clerks
            ),
            numeric=(1, 2, 4),
        ),
        ReportTable(
            "各申辦項目",
            ("申辦項目", "件數", "規費（依付款方式）"),
            tuple((service_name(catalog, s.code), f"{s.cases:,}", money(s.fees)) for s in report.services),
            numeric=(1,),
        ),
        ReportTable(
            "現金點收",
            ("承辦人", "應收", "實點", "差額", "說明"),
            tuple(
                (
                    line.clerk,
                    f"{line.expected:,}",
                    "未點收" if line.counted is None else f"{line.counted:,}",
                    "" if line.difference is None else f"{line.difference:+,}",
                    cash_note(line),
                )
                for line in cash
            ),
            numeric=(1, 2, 3),
            empty="本日無現金收入。",
        ),
        ReportTable(
            "作廢收據",
            ("收據號碼", "案件編號", "承辦人", "規費", "原因", "核准主管"),
            tuple(
                (v.receipt_number, v.case_number, v.clerk, f"{v.fee:,}", v.reason, f"{v.by} {v.at}".strip())
                for v in report.voids
            ),
            weights=(1.2, 2.1, 1, 0.6, 2, 1.3),
            numeric=(3,),
        ),
        ReportTable(
            "更正登錄（更正已簽核之營業日）",
            ("原營業日", "案件編號", "更正", "金額", "原因", "主管"),
            tuple(
                (
                    format_roc(k.corrects_day),
                    k.case_number or "",
                    CORRECTION_NAMES.get(k.kind, k.kind),
                    f"{k.amount:+,}",
                    k.reason,
                    k.made_by,
                )
                for k in report.corrections
            ),
            weights=(1.2, 2.1, 0.9, 0.7, 2, 1.1),
            numeric=(3,),
        ),
        ReportTable(
            "未送達市府",
            ("案件編號",),
            _capped([(n,) for n in report.pending_sync]),
            alert=True,
        ),
        ReportTable(
            "逾期案件（未結，已過處理期限）",
            ("案件編號", "申辦項目", "承辦人", "處理期限"),
            _capped(
                [
                    (d.case_number, service_name(catalog, d.service_code), d.clerk, format_roc(d.due_date))
                    for d in overdue
                ]
            ),
            weights=(2.1, 2.4, 1, 1.2),
            alert=True,
        ),
        ReportTable(
            "即將到期（兩個工作天內，依項目與期限）",
            ("申辦項目", "處理期限", "件數"),
            tuple(
                (service_name(catalog, code), format_roc(due), f"{n:,}")
                for (code, due), n in sorted(
                    Counter((d.service_code, d.due_date) for d in report.due if not d.overdue).items()
                )
            ),
            numeric=(2,),
        ),
    )
    day = format_roc(report.day)
    return ReportData(
        office_name=device.office.name,
        title="日結報表",
        subtitle=f"營業日：{day}　設備：{device.device_id}　{status_text(report)}",
        footer=f"日結報表 {day} {device.device_id}",
        summary=summary,
        tables=tables,
        charts=(
            Chart("每小時收件數", office_hours(report.per_hour)),
            Chart("各項目收件數", tuple((service_name(catalog, s.code), s.cases) for s in report.services), True),
        ),
        note=note,
        practice=practice,
        problems=problem_lines(report),
    )


def audit_text(first_bad: int | None) -> str:
    return "雜湊鏈完整" if first_bad is None else f"第 {first_bad} 筆起遭更動或刪除，請通報資安窗口"


def deadline_text(due: DueDate | None, limit: TimeLimit | None) -> str:
    """補正期限 as the notice prints it: the day, and the period it was counted from."""
    if due is None or limit is None:
        return "依承辦人通知"
    period = f"{limit.value} 個工作天內"
    if not due.covered:
        return f"約 {format_roc(due.day)}前補正（{period}；行事曆未涵蓋，遇假日順延）"
    return f"請於 {format_roc(due.day)}前補正（{period}）"


def notice_data(
    v: Verification,
    device: Device,
    clerk: str,
    day: date,
    practice: bool,
    offices: OfficeDirectory = NO_DIRECTORY,
    due: DueDate | None = None,
) -> NoticeData:
    """The 一次告知單's content; `due`: the 補正期限 counted on the office calendar (IntakeService.supplement_due)."""
    return NoticeData(
        office_name=device.office.name,
        service_name=v.service.name_zh,
        name_masked=on_paper(v.applicant.name),
        id_masked=v.applicant.national_id.masked(),
        date_text=format_roc(day),
        owed=tuple(d.name for d in v.documents.owed),
        replaced=tuple(d.name for d in v.documents.replaced),
        clerk=clerk,
        phone=offices.phone(device.office.code),
        deadline=deadline_text(due, offices.supplement_limit(device.office.code)),
        practice=practice,
    )


def write_reprint(case: SavedCase, services: Services) -> Path:
    """A copy of a receipt, marked 補印 with the time, as <case number>-補印<n>.pdf (the original stays as it was)."""
    count = services.ledger.cases.record_reprint(case.case_uuid)
    now = services.now()
    return write_receipt(case, services, reprinted=(f"{format_roc(now.date())} {now:%H:%M}", count))


def write_receipt(case: SavedCase, services: Services, reprinted: tuple[str, int] | None = None) -> Path:
    """Render the receipt and write it atomically as <case number>.pdf; returns the path."""
    assert services.signer is not None
    url = track_url(services.track_base, case, services.signer.sign(case.case_number, case.receipt_number))
    data = replace(
        receipt_data(case, services.catalog, services.device, url, services.practice),
        verify_code=short_code(str(case.case_uuid), case.case_number),
        track_hint=f"或至 {services.track_base.rstrip('/')}/track 輸入案件編號與驗證碼",
    )
    build = (
        build_thermal_receipt_pdf
        if services.ledger.settings.get("receipt_layout") == "thermal80"
        else build_receipt_pdf
    )
    if reprinted is None:
        return write_paper(services.receipts_dir / f"{case.case_number}.pdf", build(data))
    when, count = reprinted
    copy = replace(data, reprinted=when)
    return write_paper(services.receipts_dir / f"{case.case_number}-補印{count}.pdf", build(copy))


def write_notice(v: Verification, services: Services) -> Path:
    intake = services.intake
    data = notice_data(
        v, services.device, intake.clerk, services.today(), services.practice, intake.offices, intake.supplement_due()
    )
    return write_paper(services.data_dir / "notices" / f"notice-{v.case_uuid}.pdf", build_notice_pdf(data))


def write_dayclose(report: DayClose, cash: tuple[CashLine, ...], note: str, services: Services) -> Path:
    """The report as <day>-<device>.pdf (signed) or …-draft.pdf (a preview before sign-off)."""
    data = dayclose_data(report, cash, note, services.catalog, services.device, services.practice)
    suffix = "" if report.signed else "-draft"
    name = f"dayclose-{report.day.isoformat()}-{services.device.device_id}{suffix}.pdf"
    return write_paper(services.data_dir / "dayclose" / name, build_report_pdf(data))


REVIEW_COLUMNS = ("來源", "身分證統一編號", "姓名", "複查結果", "說明", "其他可申請項目")


def change_text(change: str) -> str:
    return text(f"review_{change}")


def review_rows(lines: list[ReviewLine], catalog: Catalog) -> list[tuple[str, ...]]:
    """The change list as the window, the CSV and the PDF show it: masked, in zh-TW."""
    return [
        (
            line.label,
            line.id_masked,
            on_paper(line.name) if line.name else "",
            change_text(line.change),
            "；".join(line.reasons),
            "、".join(service_name(catalog, code) for code in line.benefits),
        )
        for line in lines
    ]


def review_report_data(
    run: ReviewRun, lines: list[ReviewLine], catalog: Catalog, device: Device, when: datetime, practice: bool
) -> ReportData:
    counts = Counter(line.change for line in lines)
    rows = review_rows(lines, catalog)
    changed = tuple(row for row, line in zip(rows, lines, strict=True) if line.change != STILL_ELIGIBLE)
    newly = tuple(row for row, line in zip(rows, lines, strict=True) if line.benefits)
    service = service_name(catalog, run.service_code)
    stamp = f"{format_roc(when.date())} {when:%H:%M}"
    return ReportData(
        office_name=device.office.name,
        title="受益人複查結果",
        subtitle=f"項目：{service}　名單：{run.source}　複查：{stamp}　設備：{device.device_id}",
        footer=f"受益人複查 {service} {stamp}",
        summary=(
            ("複查人數", f"{len(lines):,} / {run.total:,} 人" + ("" if run.finished else "（尚未全部完成）")),
            *((change_text(c), f"{counts.get(c, 0):,} 人") for c in CHANGES),
            ("可另申請其他項目", f"{len(newly):,} 人"),
        ),
        tables=(
            ReportTable("資格變動名單", REVIEW_COLUMNS, changed, weights=(1.6, 1.1, 0.8, 1.2, 2.6, 1.5)),
            ReportTable("可另申請其他項目者", REVIEW_COLUMNS, newly, weights=(1.6, 1.1, 0.8, 1.2, 2.6, 1.5)),
        ),
        charts=(Chart("複查結果人數", tuple((change_text(c), counts.get(c, 0)) for c in CHANGES), True),),
        practice=practice,
        problems=tuple(f"{change_text(c)}：{counts[c]:,} 人" for c in CHANGES if c != STILL_ELIGIBLE and counts[c]),
        problems_title="需處理",
        no_problems="全部仍符合資格。",
    )


def write_review(run: ReviewRun, lines: list[ReviewLine], services: Services) -> tuple[Path, Path]:
    """The change list as CSV (UTF-8 with BOM, opens in Excel) and as a PDF report, in data/review/."""
    now = services.now()
    stem = f"review-{run.service_code}-{now:%Y%m%d-%H%M%S}"
    folder = services.data_dir / "review"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REVIEW_COLUMNS)
    writer.writerows(review_rows(lines, services.catalog))
    csv_path = write_paper(folder / f"{stem}.csv", ("\ufeff" + buffer.getvalue()).encode("utf-8"))
    data = review_report_data(run, lines, services.catalog, services.device, now, services.practice)
    return csv_path, write_paper(folder / f"{stem}.pdf", build_report_pdf(data))


def void_slip_data(case: SavedCase, void: VoidRecord, services: Services) -> VoidSlipData:
    service = services.catalog.get(case.service_code)
    terms = case_terms(case, services.catalog)
    return VoidSlipData(
        office_name=services.device.office.name,
        case_number=case.case_number,
        receipt_number=case.receipt_number,
        service_name=service.name_zh,
        name_masked=on_paper(case.applicant_name),
        id_masked=case.id_masked,
        received_text=f"{format_roc(case.received_at.date())} {case.received_at:%H:%M}",
        fee_text=case_fee_text(case, terms),
        clerk=case.clerk,
        voided_text=f"{format_roc(void.voided_at.date())} {void.voided_at:%H:%M}",
        voided_by=void.voided_by,
        approval="離線核准（主管於本機確認）" if void.approval == "offline" else void.approval,
        reason=void.reason,
        practice=services.practice,
        refund=case.fee,
    )


def write_correction_slip(case: SavedCase, services: Services) -> Path:
    """The void slip of a receipt voided by a correction of its signed day."""
    correction = next(
        c for c in services.ledger.books.day_facts(services.today()).corrections if c.case_number == case.case_number
    )
    void = VoidRecord(
        case.case_uuid,
        correction.correction_uuid,
        correction.made_at,
        correction.made_by,
        "更正登錄",
        f"{correction.reason}（更正 {format_roc(correction.corrects_day)} 日結）",
    )
    return write_void_slip(case, void, services)


def write_void_slip(case: SavedCase, void: VoidRecord, services: Services) -> Path:
    layout = services.ledger.settings.get("receipt_layout")
    pdf = build_void_slip_pdf(void_slip_data(case, void, services), layout)
    return write_paper(services.receipts_dir / f"{case.case_number}-作廢.pdf", pdf)


def write_paper(path: Path, data: bytes) -> Path:
    """Paper with personal data: in a folder of this user's only, readable by this user only (0700 / 0600)."""
    return write_private(private_dir(path.parent) / path.name, data)
