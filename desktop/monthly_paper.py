"""月報 on paper and as a spreadsheet: per service, cases received and decided, the on-time rate, the median days
to a decision, 補件 requests and voids, with charts; and the cases open past their date with who holds them. No
citizen's name or ID; cases by number only."""

from __future__ import annotations

import csv
import io
from calendar import monthrange
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.paperwork import service_name, write_paper
from forms.catalog import Catalog
from forms.monthly import MonthReport
from forms.rocdate import format_roc
from printing.report import Chart, ReportData, ReportTable, build_report_pdf

if TYPE_CHECKING:
    from desktop.bootstrap import Services

COLUMNS = ("申辦項目", "收件", "已決定", "期限內", "期限內比率", "決定日數中位數", "補件次數", "作廢")


def month_of(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def _rate(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"


def _days(value: float | None) -> str:
    return f"{value:g} 日" if value is not None else "—"


def service_rows(report: MonthReport, catalog: Catalog) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            service_name(catalog, s.code),
            f"{s.received:,}",
            f"{s.decided:,}",
            f"{s.on_time:,}",
            _rate(s.on_time_rate),
            _days(s.median_days),
            f"{s.supplements}",
            f"{s.voided}",
        )
        for s in report.services
    )


def month_data(report: MonthReport, catalog: Catalog, office_name: str, practice: bool) -> ReportData:
    title_month = f"{report.first.year - 1911}年{report.first.month}月"
    dated = sum(s.dated for s in report.services)
    on_time = sum(s.on_time for s in report.services)
    return ReportData(
        office_name=office_name,
        title=f"{title_month} 月報",
        subtitle=f"期間：{format_roc(report.first)} ～ {format_roc(report.last)}",
        footer=f"月報 {report.first:%Y-%m} {report.office_code}",
        summary=(
            ("收件", f"{report.received:,} 件（跨區收件 {report.forwarded} 件）"),
            ("已決定", f"{report.decided:,} 件"),
            ("期限內決定", f"{on_time:,} / {dated:,} 件（{_rate(on_time / dated if dated else None)}）"),
            ("逾期未結", f"{len(report.late)} 件"),
        ),
        tables=(
            ReportTable(
                "各申辦項目",
                COLUMNS,
                service_rows(report, catalog),
                numeric=(1, 2, 3, 4, 5, 6, 7),
                weights=(3.2, 0.8, 0.9, 0.9, 1.1, 1.3, 0.9, 0.8),
            ),  # fmt: skip
            ReportTable(
                "逾期未結案件",
                ("案件編號", "申辦項目", "經手人", "預定完成", "逾期工作天"),
                tuple(
                    (
                        c.case_number,
                        service_name(catalog, c.service_code),
                        c.holder,
                        format_roc(c.due),
                        f"{c.working_days}",
                    )  # fmt: skip
                    for c in report.late
                ),
                numeric=(4,),
                alert=True,
                weights=(3.4, 2.4, 1.4, 1.6, 1.0),  # a case number on one line
            ),
        ),
        charts=tuple(
            chart
            for chart in (
                Chart(
                    "各申辦項目收件數",
                    tuple((service_name(catalog, s.code), s.received) for s in report.services),
                    True,
                ),
                Chart(
                    "各申辦項目期限內決定比率（%）",
                    tuple(
                        (service_name(catalog, s.code), round(100 * (s.on_time_rate or 0)))
                        for s in report.services
                        if s.dated
                    ),
                    True,
                ),
            )
            if chart.points  # nothing decided yet: no empty chart
        ),
        practice=practice,
        problems_title="提醒",
        problems=tuple(f"{c.case_number} 逾期 {c.working_days} 個工作天（{c.holder}）" for c in report.late[:20]),
        no_problems="無逾期未結案件。",
    )


def month_csv(report: MonthReport, catalog: Catalog) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("項目代碼", *COLUMNS))
    for s, row in zip(report.services, service_rows(report, catalog), strict=True):
        writer.writerow((s.code, *row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # Excel opens UTF-8 with its mark


def write_month(report: MonthReport, services: Services) -> tuple[Path, Path]:
    """月報 as monthly-<yyyy-mm>-<office>.pdf and .csv."""
    office = services.device.office
    stem = f"monthly-{report.first:%Y-%m}-{office.code}"
    folder = services.data_dir / "reports"
    pdf = write_paper(folder / f"{stem}.pdf", build_report_pdf(month_data(report, services.catalog, office.name,
                                                                          services.practice)))  # fmt: skip
    return pdf, write_paper(folder / f"{stem}.csv", month_csv(report, services.catalog))
