"""ROC (民國) calendar dates: parse the notations clerks type and format dates for screens and paper.

Year = AD − 1911 (TAIWAN_PRACTICE.md §2); 民國元年 = 1912, and the years before it are 民前N年 = 1912 − N (民前1年 =
1911). There is no year 0. Accepted: 115/06/13, 115.06.13, 115-06-13, 1150613 (7 digits), 115年6月13日 (optionally
prefixed 民國 or 中華民國), 民前11年5月1日 / 民前11/05/01, and AD dates 2026-06-13 / 2026/06/13 / 20260613 — from
FIRST_DAY to LAST_DAY.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from forms.errors import ValidationError

ROC_OFFSET = 1911
FIRST_DAY = date(1850, 1, 1)  # 民前62年: before anyone living, after any record a counter sees
LAST_DAY = date(2099, 12, 31)  # 民國188年

_SEPARATED = re.compile(r"^(民前)?(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_CHINESE = re.compile(r"^(?:中華)?(?:(民前)|民國)?(\d{1,3})年(\d{1,2})月(\d{1,2})日$")


def year_words(year: int) -> str:
    """The ROC year of an AD year in words: 115年, 民國元年 is 1年, 民前11年."""
    return f"{year - ROC_OFFSET}年" if year > ROC_OFFSET else f"民前{ROC_OFFSET + 1 - year}年"


def _ad_year(roc: int, before: bool = False) -> int:
    if roc == 0:
        raise ValidationError("date_year_zero")
    return ROC_OFFSET + 1 - roc if before else roc + ROC_OFFSET


def _build(year: int, month: int, day: int) -> date:
    try:
        built = date(year, month, day)
    except ValueError as exc:
        era = "民國" if year > ROC_OFFSET else ""
        raise ValidationError("date_impossible", when=f"{era}{year_words(year)}{month}月{day}日") from exc
    if not FIRST_DAY <= built <= LAST_DAY:
        raise ValidationError("date_out_of_range", first=format_roc(FIRST_DAY), last=format_roc(LAST_DAY))
    return built


def parse_date(raw: str) -> date:
    """Parse a date typed at the counter. Years of 1-3 digits are ROC years; 4 digits are AD.

    Raises:
        ValidationError: date_empty, date_format, date_impossible, date_year_zero or date_out_of_range.
    """
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    if not text:
        raise ValidationError("date_empty")
    if m := _CHINESE.match(text):
        return _build(_ad_year(int(m[2]), bool(m[1])), int(m[3]), int(m[4]))
    if m := _SEPARATED.match(text):
        if len(m[2]) == 4 and not m[1]:
            return _build(int(m[2]), int(m[3]), int(m[4]))
        if len(m[2]) < 4:
            return _build(_ad_year(int(m[2]), bool(m[1])), int(m[3]), int(m[4]))
    if text.isascii() and text.isdigit():
        if len(text) == 7:
            return _build(_ad_year(int(text[:3])), int(text[3:5]), int(text[5:]))
        if len(text) == 8:
            return _build(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValidationError("date_format")


def roc_year(d: date) -> int:
    """The ROC year number of a date of the Republic (1912 on); for the years before, see year_words."""
    return d.year - ROC_OFFSET


def format_roc(d: date) -> str:
    """115年6月13日 (民前11年5月1日 before 1912) — the form used on receipts and screens."""
    return f"{year_words(d.year)}{d.month}月{d.day}日"


def format_roc_slash(d: date) -> str:
    """115/06/13 (民前11/05/01) — the compact form used in lists; it reads back with parse_date."""
    if d.year <= ROC_OFFSET:
        return f"民前{ROC_OFFSET + 1 - d.year:02d}/{d.month:02d}/{d.day:02d}"
    return f"{roc_year(d):03d}/{d.month:02d}/{d.day:02d}"


def format_roc_compact(d: date) -> str:
    """1150613 — the 7-digit machine form, used inside case numbers (dates of the Republic only)."""
    if d.year <= ROC_OFFSET:
        raise ValueError("the 7-digit form has no years before 民國")
    return f"{roc_year(d):03d}{d.month:02d}{d.day:02d}"
