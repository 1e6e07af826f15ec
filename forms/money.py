"""Amounts of New Taiwan dollars typed by a person (cash counted at the day close)."""

from __future__ import annotations

import unicodedata

from forms.errors import ValidationError

MAX_AMOUNT = 100_000_000


def parse_amount(raw: str) -> int:
    """Whole NT$, digits with optional thousands commas (full-width digits accepted). Raises ValidationError:
    amount_empty or amount_format."""
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").removeprefix("NT$").removesuffix("元").strip()
    if not text:
        raise ValidationError("amount_empty")
    if not text.isascii() or not text.isdigit() or int(text) > MAX_AMOUNT:
        raise ValidationError("amount_format")
    return int(text)
