"""ROC (民國) calendar dates: parse the notations clerks type and format dates for screens and paper.

Year = AD − 1911 (TAIWAN_PRACTICE.md §2). Accepted: 115/06/13, 115.06.13, 115-06-13, 1150613 (7 digits),
115年6月13日 (optionally prefixed 民國 or 中華民國), and AD dates 2026-06-13 / 2026/06/13 / 20260613.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from forms.errors import ValidationError

ROC_OFFSET = 1911

_SEPARATED = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_CHINESE = re.compile(r"^(?:中華)?(?:民國)?(\d{1,3})年(\d{1,2})月(\d{1,2})日$")


def _build(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValidationError("date_impossible", year=year - ROC_OFFSET, month=month, day=day) from exc


def parse_date(raw: str) -> date:
    """Parse a date typed at the counter. Years of 1-3 digits are ROC years; 4 digits are AD.

    Raises:
        ValidationError: date_empty, date_format or date_impossible.
    """
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    if not text:
        raise ValidationError("date_empty")
    if m := _CHINESE.match(text):
        return _build(int(m[1]) + ROC_OFFSET, int(m[2]), int(m[3]))
    if m := _SEPARATED.match(text):
        year = int(m[1])
        return _build(year if len(m[1]) == 4 else year + ROC_OFFSET, int(m[2]), int(m[3]))
    if text.isascii() and text.isdigit():
        if len(text) == 7:
            return _build(int(text[:3]) + ROC_OFFSET, int(text[3:5]), int(text[5:]))
        if len(text) == 8:
            return _build(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValidationError("date_format")


def roc_year(d: date) -> int:
    return d.year - ROC_OFFSET


def format_roc(d: date) -> str:
    """115年6月13日 — the form used on receipts and screens."""
    return f"{roc_year(d)}年{d.month}月{d.day}日"


def format_roc_slash(d: date) -> str:
    """115/06/13 — the compact form used in lists."""
    return f"{roc_year(d):03d}/{d.month:02d}/{d.day:02d}"


def format_roc_compact(d: date) -> str:
    """1150613 — the 7-digit machine form, used inside case numbers."""
    return f"{roc_year(d):03d}{d.month:02d}{d.day:02d}"
