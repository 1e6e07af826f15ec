"""月報's paper and spreadsheet from a hand-made month: the words, the rate, the CSV Excel opens."""

from __future__ import annotations

from datetime import date

from desktop.monthly_paper import month_csv, month_data, month_of
from forms.catalog import load_catalog
from forms.monthly import LateCase, MonthReport, ServiceMonth

REPORT = MonthReport(
    "68000010",
    date(2026, 10, 1),
    date(2026, 10, 31),
    (ServiceMonth("SW-05", 2, 0, 0, 0, None, 0, 1), ServiceMonth("SW-17", 3, 3, 2, 3, 11, 1, 0)),
    (LateCase("68000010-D0001-1151002-0004", "SW-05", "林承辦", date(2026, 10, 23), 4),),
    1,
)


def test_the_month_on_paper() -> None:
    data = month_data(REPORT, load_catalog(), "桃園市桃園區公所", practice=False)
    assert data.title == "115年10月 月報" and data.subtitle == "期間：115年10月1日 ～ 115年10月31日"
    assert dict(data.summary) == {
        "收件": "5 件（跨區收件 1 件）",
        "已決定": "3 件",
        "期限內決定": "2 / 3 件（67%）",
        "逾期未結": "1 件",
    }
    services, late = data.tables
    assert services.rows[1] == ("急難救助", "3", "3", "2", "67%", "11 日", "1", "0")
    assert late.rows == (("68000010-D0001-1151002-0004", "敬老愛心卡", "林承辦", "115年10月23日", "4"),)
    assert [c.title for c in data.charts] == ["各申辦項目收件數", "各申辦項目期限內決定比率（%）"]
    assert data.problems == ("68000010-D0001-1151002-0004 逾期 4 個工作天（林承辦）",)


def test_the_month_as_a_spreadsheet() -> None:
    raw = month_csv(REPORT, load_catalog())
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "項目代碼,申辦項目,收件,已決定,期限內,期限內比率,決定日數中位數,補件次數,作廢"
    assert lines[2] == "SW-17,急難救助,3,3,2,67%,11 日,1,0"


def test_a_month_is_its_first_to_last_day() -> None:
    assert month_of(date(2028, 2, 14)) == (date(2028, 2, 1), date(2028, 2, 29))
