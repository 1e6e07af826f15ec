"""ROC date notations, impossible dates and round trips."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.errors import ValidationError
from forms.messages import text
from forms.rocdate import format_roc, format_roc_compact, format_roc_slash, parse_date


@pytest.mark.parametrize(
    "raw",
    [
        "115/06/13",
        "115.06.13",
        "115-6-13",
        "1150613",
        "115年6月13日",
        "民國115年6月13日",
        "中華民國115年06月13日",
        "2026-06-13",
        "2026/6/13",
        "20260613",
        "１１５／０６／１３",
        " 115 / 06 / 13 ",
    ],
)
def test_notations(raw: str) -> None:
    assert parse_date(raw) == date(2026, 6, 13)


@pytest.mark.parametrize(
    ("raw", "day"),
    [("20261120", date(2026, 11, 20)), ("1151120", date(2026, 11, 20)), ("19491001", date(1949, 10, 1))],
)
def test_compact_dates_with_two_digit_months(raw: str, day: date) -> None:
    assert parse_date(raw) == day


def test_two_digit_roc_years() -> None:
    assert parse_date("99/12/31") == date(2010, 12, 31)
    assert parse_date("0991231") == date(2010, 12, 31)
    assert parse_date("38/1/1") == date(1949, 1, 1)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("115/02/30", "date_impossible"),
        ("114/02/29", "date_impossible"),
        ("115/13/01", "date_impossible"),
        ("1150230", "date_impossible"),
        ("", "date_empty"),
        ("yesterday", "date_format"),
        ("115/06", "date_format"),
        ("11506133", "date_impossible"),
        ("115年6月", "date_format"),
        ("115/06/13\u202e", "date_format"),
        ("11506l3", "date_format"),  # seven characters, one a letter l, not a digit 1
        ("2026O613", "date_format"),  # eight characters, one a letter O
        ("\u0661\u0661\u0665\u0660\u0666\u0661\u0663", "date_format"),  # Arabic-Indic digits are not a date here
    ],
)
def test_bad_dates(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_date(raw)
    assert err.value.code == code


def test_leap_day_in_roc_leap_year() -> None:
    assert parse_date("113/02/29") == date(2024, 2, 29)


@given(st.dates(min_value=date(1912, 1, 1), max_value=date(2099, 12, 31)))
def test_round_trips(d: date) -> None:
    assert parse_date(format_roc(d)) == d
    assert parse_date(format_roc_slash(d)) == d
    assert parse_date(format_roc_compact(d)) == d


@given(st.dates(min_value=date(1850, 1, 1), max_value=date(1911, 12, 31)))
def test_round_trips_before_the_republic(d: date) -> None:
    assert format_roc(d).startswith("民前")
    assert parse_date(format_roc(d)) == d
    assert parse_date(format_roc_slash(d)) == d


@pytest.mark.parametrize(
    ("raw", "day", "printed"),
    [
        # 民國元年 is 1912 and 民前1年 1911 (辛亥): 民前N年 is 1912 − N, so 1900 is 民前12年.
        ("民前11年5月1日", date(1901, 5, 1), "民前11年5月1日"),
        ("民前1年12月31日", date(1911, 12, 31), "民前1年12月31日"),
        ("民前11/05/01", date(1901, 5, 1), "民前11年5月1日"),
        ("1/1/1", date(1912, 1, 1), "1年1月1日"),  # 民國元年
        ("1900-05-01", date(1900, 5, 1), "民前12年5月1日"),
    ],
)
def test_years_before_the_republic(raw: str, day: date, printed: str) -> None:
    assert parse_date(raw) == day
    assert format_roc(day) == printed


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0/1/1", "date_year_zero"),
        ("0000101", "date_year_zero"),
        ("0年1月1日", "date_year_zero"),
        ("民前0年1月1日", "date_year_zero"),
        ("民前63年1月1日", "date_out_of_range"),  # 1849
        ("1849/12/31", "date_out_of_range"),
        ("189/01/01", "date_out_of_range"),  # 2100
        ("民前2026/01/01", "date_format"),  # an AD year cannot be 民前
    ],
)
def test_year_zero_and_the_range(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_date(raw)
    assert err.value.code == code


def test_the_range_ends_are_in_it_and_the_words_say_so() -> None:
    assert parse_date("1850-01-01") == date(1850, 1, 1) and parse_date("188/12/31") == date(2099, 12, 31)
    with pytest.raises(ValidationError) as err:
        parse_date("1849-12-31")
    assert text(err.value.code, **err.value.params) == "日期超出可受理範圍（民前62年1月1日至188年12月31日）。"


@pytest.mark.parametrize(
    ("raw", "said"),
    [("民前1/02/30", "沒有這一天：民前1年2月30日。"), ("1/02/30", "沒有這一天：民國1年2月30日。")],
)
def test_an_impossible_day_is_named_in_its_own_era(raw: str, said: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_date(raw)
    assert text(err.value.code, **err.value.params) == said


def test_the_seven_digit_form_has_no_years_before_the_republic() -> None:
    assert format_roc_compact(date(1912, 1, 1)) == "0010101"
    with pytest.raises(ValueError, match="^the 7-digit form has no years before 民國$"):
        format_roc_compact(date(1911, 12, 31))
