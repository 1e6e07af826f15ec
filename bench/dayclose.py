"""A 2,000-case day: the day close computed (ledger facts, checks, comparison) and its report PDF written,
against the bare SQL aggregate of the same day (the floor: counting and summing what is on disk)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.common import emit, median, timed
from bench.fixtures import DAY_START, ledger_with_cases, open_ledger, working_copy
from desktop.paperwork import dayclose_data
from forms.calendar import load_calendar
from forms.catalog import load_catalog
from forms.dayclose import cash_lines
from printing.report import build_report_pdf
from sync.services.closing import Books

CASES = 2_000


def run(work: Path, runs: int = 5) -> None:
    path = working_copy(ledger_with_cases(CASES, "day"), work / "dayclose" / "ledger.db")
    ledger = open_ledger(path)
    books = Books(ledger, None, load_calendar(), lambda _u, _p: False, ledger.core.now)  # type: ignore[arg-type]
    catalog = load_catalog()
    day = DAY_START.date()
    sizes: list[int] = []

    def close_day() -> None:
        report = books.prepare(day, ask_server=False)
        assert report.cases == CASES
        data = dayclose_data(report, cash_lines(report, {}), "", catalog, ledger.device, practice=False)
        sizes.append(len(build_report_pdf(data)))

    def compute_only() -> None:
        books.prepare(day, ask_server=False)

    close_day()  # warm
    whole = timed(close_day, runs)
    facts = timed(compute_only, runs)
    ledger.close()
    conn = sqlite3.connect(path)
    floor = timed(
        lambda: conn.execute(
            "SELECT clerk, payment_method, count(*), sum(fee) FROM cases WHERE business_date = ? GROUP BY 1, 2",
            (day.isoformat(),),
        ).fetchall(),
        runs,
    )
    conn.close()
    note = f"{runs} runs; computing alone {median(facts) * 1000:.0f} ms; report {sizes[-1] / 1024:.0f} KB"
    emit("day_close_2000_cases", median(whole) * 1000, median(floor) * 1000, "ms", note)
