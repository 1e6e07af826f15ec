"""The office's 日結 on paper (and in the window's words): every device with its state, totals per clerk and
service across devices, the discrepancies, the supervisor's explanations, and 承辦人 / 主管 / 出納 核章 boxes.
No citizen's name or ID is on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.paperwork import money, service_name, write_paper
from forms.cashcount import kind, total
from forms.catalog import Catalog
from forms.clock import TAIPEI
from forms.messages import text
from forms.officeday import IDLE, OPEN, SIGNED, DeviceDay, OfficeDay, Totals
from forms.rocdate import format_roc
from printing.report import ReportData, ReportTable, build_report_pdf
from sync.protocol import wire
from sync.services.decisions import QueueLine

if TYPE_CHECKING:
    from desktop.bootstrap import Services

SIGNATURES = ("承辦人", "主管", "出納")


def _when(moment: datetime) -> str:
    local = moment.astimezone(TAIPEI)
    return f"{format_roc(local.date())} {local:%H:%M}"


def state_text(d: DeviceDay) -> str:
    if d.state == SIGNED and d.close is not None:
        return f"已日結（{d.close.by}，{_when(d.close.at)}）"
    return {OPEN: "未日結", IDLE: "今日無收件"}.get(d.state, d.state)


def device_rows(day: OfficeDay) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            f"{d.device.device_id} {d.device.name}",
            state_text(d),
            f"{d.cases:,}",
            f"{d.voided}",
            money(d.fees),
            f"{d.first_receipt} ～ {d.last_receipt}" if d.first_receipt else "—",
            "、".join(d.gaps) or "無",
        )
        for d in day.devices
    )


CASH_COLUMNS = ("面額", "種類", "張（枚）數", "金額")


def cash_rows(day: OfficeDay) -> tuple[tuple[str, ...], ...]:
    """The office's cash by note and coin for the cashier, with the total; each device's count, then the office's.
    Empty when no device counted by piece."""
    rows = [(f"{d:,} 元", kind(d), f"{n:,}", f"{d * n:,} 元") for d, n in day.pieces]
    if not rows:
        return ()
    by_device = "、".join(f"{d.device.device_id} {total(d.pieces):,} 元" for d in day.devices if d.pieces)
    return (*rows, ("合計", by_device, f"{sum(n for _d, n in day.pieces):,}", f"{total(day.pieces):,} 元"))


def cash_summary(day: OfficeDay) -> str:
    """「實點 1,350 元（應收 1,350 元）」: what the devices' supervisors counted against the cash taken."""
    expected = day.fees.get("cash", 0)
    counted = day.cash_counted
    diff = f"，差額 {counted - expected:+,} 元" if counted != expected else ""
    return f"實點 {counted:,} 元（應收 {expected:,} 元{diff}）"


def totals_rows(lines: tuple[Totals, ...], name: Callable[[str], str] = str) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (name(t.name), f"{t.cases:,}", f"{t.voided}", money(t.fees) + (f"；免徵 {t.waived} 件" if t.waived else ""))
        for t in lines
    )


def problem_lines(day: OfficeDay) -> tuple[str, ...]:
    return tuple(text(p.code, **p.params) for p in day.problems)


def office_day_data(
    day: OfficeDay,
    explained: dict[str, str],
    close: wire.OfficeClose | None,
    catalog: Catalog,
    office_name: str,
    practice: bool,
    late: tuple[QueueLine, ...] = (),
) -> ReportData:
    status = f"已簽核（{close.by}，{_when(close.at)}）" if close is not None else "草稿（尚未簽核）"
    why = "；".join(f"{device}：{reason}" for device, reason in sorted(explained.items()) if reason.strip())
    return ReportData(
        office_name=office_name,
        title="本所日結報表",
        subtitle=f"營業日：{format_roc(day.day)}　全所 {len(day.devices)} 台設備　{status}",
        footer=f"本所日結報表 {day.day.isoformat()} {day.office_code}",
        summary=(
            ("有效案件", f"{day.cases:,} 件（作廢 {day.voided} 件）"),
            ("規費合計", f"{day.fee_total:,} 元" + (f"（{money(day.fees)}）" if day.fees else "")),
            ("現金", cash_summary(day)),
            ("更正登錄", f"{day.corrections} 筆"),
            ("逾期未結（全所）", f"{len(late)} 件"),
            (
                "設備日結",
                f"已日結 {sum(d.state == SIGNED for d in day.devices)} 台、未日結 "
                f"{sum(d.state == OPEN for d in day.devices)} 台",
            ),  # fmt: skip
        ),
        tables=(
            ReportTable(
                "各設備",
                ("設備", "日結", "件數", "作廢", "規費", "收據號碼", "市府未收到之號碼"),
                device_rows(day),
                numeric=(2, 3),
                weights=(2.2, 2.6, 0.8, 0.8, 1.6, 3.0, 2.0),
            ),
            ReportTable(
                "現金面額（交出納點收）",
                CASH_COLUMNS,
                cash_rows(day),
                numeric=(2, 3),
                empty="各設備均未依面額點收",
                weights=(1.2, 3.4, 1.2, 1.6),
            ),
            ReportTable(
                "各承辦人（全所）", ("承辦人", "件數", "作廢", "規費"), totals_rows(day.clerks), numeric=(1, 2)
            ),
            ReportTable(
                "各申辦項目（全所）",
                ("申辦項目", "件數", "作廢", "規費"),
                totals_rows(day.services, lambda code: service_name(catalog, code)),
                numeric=(1, 2),
            ),
            ReportTable(
                "逾期未結案件（全所）",
                ("案件編號", "申辦項目", "經手人", "預定完成", "逾期工作天"),
                tuple(
                    (
                        q.case.case_number,
                        service_name(catalog, q.case.service_code),
                        q.case.holder,
                        format_roc(q.urgency.due) if q.urgency.due else "—",
                        f"{q.urgency.working_days}",
                    )
                    for q in late
                ),
                numeric=(4,),
                alert=True,
                weights=(3.4, 2.4, 1.4, 1.6, 1.0),  # a case number on one line
            ),
        ),
        note=why,
        practice=practice,
        problems=problem_lines(day),
        signatures=SIGNATURES,
    )


def write_office_day(
    day: OfficeDay,
    explained: dict[str, str],
    close: wire.OfficeClose | None,
    services: Services,
    late: tuple[QueueLine, ...] = (),
) -> Path:
    """The report as office-day-<day>-<office>.pdf (signed) or …-draft.pdf."""
    office = services.device.office
    data = office_day_data(day, explained, close, services.catalog, office.name, services.practice, late)
    suffix = "" if close is not None else "-draft"
    name = f"office-day-{day.day.isoformat()}-{office.code}{suffix}.pdf"
    return write_paper(services.data_dir / "dayclose" / name, build_report_pdf(data))
