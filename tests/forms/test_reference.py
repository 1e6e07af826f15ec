"""The city's reference documents are validated whole: the shipped ones load, each kind of mistake names its key,
and a calendar that reaches a new year makes that year's due dates exact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from forms.messages import text
from forms.reference import ReferenceError, parse_calendar, parse_offices, parse_thresholds
from forms.timelimits import DAYS, TimeLimit, due_date

ROOT = Path(__file__).resolve().parents[2] / "resources"
CALENDAR = (ROOT / "calendar" / "tw_office_calendar.toml").read_text(encoding="utf-8")
THRESHOLDS = (ROOT / "thresholds.toml").read_text(encoding="utf-8")
OFFICES = (ROOT / "offices.toml").read_text(encoding="utf-8")


def test_the_shipped_documents_load() -> None:
    cal = parse_calendar(CALENDAR)
    assert (cal.version, cal.first_year, cal.last_year) == (1, 2025, 2027)
    assert date(2026, 2, 16) in cal.days_off and date(2025, 2, 8) in cal.make_up_workdays
    amounts = parse_thresholds(THRESHOLDS)
    assert amounts.version == 1 and amounts.living_cost("68000000", 2026) == 17186
    assert amounts.consumption(2026) is None  # no figure was verified: none is shipped


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("version = 1", "", "version", "missing"),
        ("version = 1", "version = 0", "version", "expected a whole number from 1 to 1000000"),
        ("version = 1", "version = 1000001", "version", "expected a whole number from 1 to 1000000"),
        ("version = 1", 'version = 1\ncolour = "red"', "colour", "unknown key"),
        ("first_year = 2025", "first_year = 1999", "first_year", "expected a whole number from 2000 to 2099"),
        ("last_year = 2027", "last_year = 2024", "last_year", "expected a whole number from 2025 to 2099"),
        ("last_year = 2027", "last_year = 2100", "last_year", "expected a whole number from 2025 to 2099"),
        # 2025 holds 15 days off: 2026-02-16 is the 17th
        ('"2026-02-16"', '"2026-02-30"', "days_off[16]", "'2026-02-30' is not a date (YYYY-MM-DD)"),
        ('"2026-02-16"', "20260216", "days_off[16]", "20260216 is not a date (YYYY-MM-DD)"),
        ('"2026-02-16"', '"2029-02-16"', "days_off[16]", "2029-02-16 is outside 2025–2027"),
        ('"2026-02-16"', '"2026-02-14"', "days_off", "2026-02-14 is a weekend day"),
        ('"2026-02-16"', '"2026-01-01"', "days_off", "a date is listed twice"),
        ('make_up_workdays = ["2025-02-08"]', 'make_up_workdays = ["2025-02-10"]', "make_up_workdays",
         "2025-02-10 is a weekday"),
        ('make_up_workdays = ["2025-02-08"]', "make_up_workdays = 5", "make_up_workdays", "expected a list of dates"),
        ("first_year = 2025", "first_year = true", "first_year", "expected a whole number from 2000 to 2099"),
    ],
)  # fmt: skip
def test_a_bad_calendar_names_its_key(old: str, new: str, key: str, problem: str) -> None:
    assert old in CALENDAR
    with pytest.raises(ReferenceError) as err:
        parse_calendar(CALENDAR.replace(old, new, 1))
    assert err.value.params == {"kind": "calendar", "key": key, "problem": problem}
    said = text(err.value.code, **err.value.params)
    assert key in said and "未採用" in said


def test_not_toml_says_where() -> None:
    for kind, parse_one in (("calendar", parse_calendar), ("thresholds", parse_thresholds)):
        with pytest.raises(ReferenceError) as err:
            parse_one("version = [")
        assert (err.value.params["kind"], err.value.params["key"]) == (kind, "(file)")
        assert err.value.params["problem"] == "Invalid value (at end of document)"  # tomllib's own words


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("version = 1", "", "version", "missing"),
        ("version = 1", "version = 1\nextra = 1", "extra", "unknown key"),
        ("2026 = 17186", "2026 = -1", "min_living_cost.68000000.2026", "expected a whole number from 1 to 1000000"),
        ("2026 = 17186", "2026 = 1000001", "min_living_cost.68000000.2026",
         "expected a whole number from 1 to 1000000"),
        ("2026 = 17186", "2026 = true", "min_living_cost.68000000.2026", "expected a whole number from 1 to 1000000"),
        ("2026 = 17186", "26 = 17186", "min_living_cost.68000000.26", "expected a year from 2000 to 2099"),
        ("2026 = 17186", "2100 = 17186", "min_living_cost.68000000.2100", "expected a year from 2000 to 2099"),
        ("[min_living_cost.68000000]", "[min_living_cost.6800]", "min_living_cost.6800",
         "expected an 8-digit city code and its years"),
        ("[avg_consumption]", "[avg_consumption]\n2026 = 0", "avg_consumption.2026",
         "expected a whole number from 1 to 1000000"),
        ("[avg_consumption]", "[avg_consumption]\n1999 = 5", "avg_consumption.1999",
         "expected a year from 2000 to 2099"),
        ("[avg_consumption]", "[avg_consumptions]", "avg_consumptions", "unknown key"),
    ],
)  # fmt: skip
def test_bad_amounts_name_their_key(old: str, new: str, key: str, problem: str) -> None:
    assert old in THRESHOLDS
    with pytest.raises(ReferenceError) as err:
        parse_thresholds(THRESHOLDS.replace(old, new, 1))
    assert err.value.params == {"kind": "thresholds", "key": key, "problem": problem}


@pytest.mark.parametrize(
    ("text_", "key", "problem"),
    [
        ("version = 1\nmin_living_cost = 5\n", "min_living_cost", "expected a table of cities"),
        ("version = 1\nmin_living_cost = {}\navg_consumption = 5\n", "avg_consumption", "expected a table of years"),
        ("version = 1\n[min_living_cost]\n68000000 = 5\n", "min_living_cost.68000000",
         "expected an 8-digit city code and its years"),
    ],
)  # fmt: skip
def test_amount_tables_of_the_wrong_shape(text_: str, key: str, problem: str) -> None:
    with pytest.raises(ReferenceError) as err:
        parse_thresholds(text_)
    assert err.value.params == {"kind": "thresholds", "key": key, "problem": problem}


def test_parse_by_kind() -> None:
    from forms.reference import parse

    assert parse("calendar", CALENDAR).version == 1
    assert parse("thresholds", THRESHOLDS).version == 1
    assert parse("offices", OFFICES).version == 1
    with pytest.raises(ReferenceError) as err:
        parse("weather", "")
    assert err.value.params == {
        "kind": "weather",
        "key": "kind",
        "problem": "one of ['calendar', 'thresholds', 'offices']",
    }


def test_a_calendar_for_a_new_year_makes_its_due_dates_exact() -> None:
    """Past 2027 a due date is counted with weekends only and marked; once the city publishes 2028 (here with
    2028-01-03 as a made-up day off) it is exact: 3 days from Thu 2027-12-30 end Sun 01-02 → Mon 01-03 off → Tue."""
    old = parse_calendar(CALENDAR)
    guessed = due_date(old, date(2027, 12, 30), TimeLimit(3, DAYS))
    assert (guessed.day, guessed.covered) == (date(2028, 1, 3), False)
    newer = parse_calendar(
        CALENDAR.replace("version = 1", "version = 2")
        .replace("last_year = 2027", "last_year = 2028")
        .replace('"2027-12-31",', '"2027-12-31", "2028-01-03",')
    )
    exact = due_date(newer, date(2027, 12, 30), TimeLimit(3, DAYS))
    assert (exact.day, exact.covered) == (date(2028, 1, 4), True)


def test_amounts_at_the_ends_of_their_ranges_and_the_second_cap() -> None:
    doc = (
        "version = 1000000\n[min_living_cost.68000000]\n2000 = 1\n2099 = 1000000\n"
        "[avg_consumption]\n2000 = 5\n2099 = 30000\n"
    )
    amounts = parse_thresholds(doc)
    assert amounts.version == 1000000
    assert (amounts.living_cost("68000000", 2000), amounts.living_cost("68000000", 2099)) == (1, 1000000)
    assert (amounts.consumption(2000), amounts.consumption(2099)) == (5, 30000)
    without = parse_thresholds("version = 2\n[min_living_cost.68000000]\n2026 = 17186\n")
    assert without.avg_consumption == {} and without.version == 2
    with pytest.raises(ReferenceError) as err:
        parse_thresholds("version = 0\n[min_living_cost.68000000]\n2026 = 17186\n")
    assert err.value.params == {"kind": "thresholds", "key": "version",
                                "problem": "expected a whole number from 1 to 1000000"}  # fmt: skip


def test_the_shipped_office_directory_lists_every_sandbox_office_with_a_practice_phone() -> None:
    from cityserver.population import PLACES

    directory = parse_offices(OFFICES)
    codes = {code for place in PLACES for code, _ in place.districts}
    assert set(directory.offices) == codes
    # A practice number has 0 right after the area code (no subscriber number does): it rings no one.
    assert all(c.phone.split("-")[1].startswith("0") for c in directory.offices.values())
    assert directory.supplement_days == 7
    # The names are the ones the city's register gives (the city and its devices say the same).
    from cityserver.population import office_of

    assert all(directory.name(code) == office_of(code)[0] for code in codes)
    assert directory.name("99999999") == "99999999"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('phone = "03-0001-0101"', 'phone = "033322101"', "offices.68000010.phone",
         "expected a phone as printed: 03-332-2101, 06-123-4567#12"),
        ('phone = "03-0001-0101"', "phone = 33322101", "offices.68000010.phone",
         "expected a phone as printed: 03-332-2101, 06-123-4567#12"),
        ('phone = "03-0001-0101"', 'phone = "03-0001-0101"\nfax = "x"', "fax", "unknown key"),
        ('phone = "03-0001-0101"', "", "phone", "missing"),
        ('name = "桃園市桃園區公所"', 'name = "桃園 區公所"', "offices.68000010.name",
         "expected the office's name, e.g. 桃園市中壢區公所"),
        ('name = "桃園市桃園區公所"', "name = 5", "offices.68000010.name",
         "expected the office's name, e.g. 桃園市中壢區公所"),
        ('phone = "03-0001-0101"', 'phone = "03-0001-0101"\nsupplement_working_days = 0',
         "offices.68000010.supplement_working_days", "expected a whole number from 1 to 120"),
        ("[offices.68000010]", "[offices.6800001]", "offices.6800001",
         "expected an 8-digit office code and its table"),
        ("supplement_working_days = 7", "supplement_working_days = 121", "supplement_working_days",
         "expected a whole number from 1 to 120"),
        ("supplement_working_days = 7", 'supplement_working_days = "7"', "supplement_working_days",
         "expected a whole number from 1 to 120"),
    ],
)  # fmt: skip
def test_a_bad_office_directory_names_its_key(old: str, new: str, key: str, problem: str) -> None:
    assert old in OFFICES
    with pytest.raises(ReferenceError) as err:
        parse_offices(OFFICES.replace(old, new, 1))
    assert err.value.params == {"kind": "offices", "key": key, "problem": problem}


def test_the_supplement_period_is_counted_in_working_days_from_the_notice() -> None:
    """Office 68000010, 7 working days from Fri 2026-11-20: 11-23 … 11-27 (5), 11-30 (6), Tue 12-01 (7). An office
    with its own 10: … 12-04 (10). An office the directory does not list takes the city's default; none at all
    without one."""
    cal = parse_calendar(CALENDAR)
    text_ = OFFICES.replace('phone = "03-0002-0201"', 'phone = "03-0002-0201"\nsupplement_working_days = 10', 1)
    directory = parse_offices(text_)
    told = date(2026, 11, 20)
    assert directory.supplement_due("68000010", cal, told) == due_date(cal, told, TimeLimit(7, "working_days"))
    due = directory.supplement_due("68000010", cal, told)
    assert due is not None and due.day == date(2026, 12, 1)
    other = directory.supplement_due("68000020", cal, told)
    assert other is not None and other.day == date(2026, 12, 4)
    unlisted = directory.supplement_due("99999999", cal, told)
    assert unlisted is not None and unlisted.day == date(2026, 12, 1) and directory.phone("99999999") == ""
    no_default = parse_offices(OFFICES.replace("supplement_working_days = 7", "", 1))
    assert no_default.supplement_due("68000010", cal, told) is None


@pytest.mark.parametrize(
    ("text_", "key", "problem"),
    [
        ('version = 1\noffices = "all"\n', "offices", "expected a table of offices"),
        ("offices = {}\n", "version", "missing"),
        ("version = 0\noffices = {}\n", "version", "expected a whole number from 1 to 1000000"),
    ],
)
def test_an_office_directory_of_the_wrong_shape(text_: str, key: str, problem: str) -> None:
    with pytest.raises(ReferenceError) as err:
        parse_offices(text_)
    assert err.value.params == {"kind": "offices", "key": key, "problem": problem}


def test_an_office_directory_that_is_not_toml_says_so() -> None:
    with pytest.raises(ReferenceError) as err:
        parse_offices("version = = 1")
    assert (err.value.params["kind"], err.value.params["key"]) == ("offices", "(file)")


def test_the_shipped_directory_is_what_a_device_starts_with() -> None:
    from forms.offices import load_offices

    shipped = load_offices()
    assert shipped == parse_offices(OFFICES) and shipped.phone("68000010") == "03-0001-0101"
