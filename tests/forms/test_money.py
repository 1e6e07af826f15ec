from __future__ import annotations

import pytest

from forms.errors import ValidationError
from forms.money import parse_amount


@pytest.mark.parametrize(
    ("raw", "value"), [("1250", 1250), ("1,250", 1250), (" １２５０ 元", 1250), ("NT$80", 80), ("0", 0)]
)
def test_amounts_people_type(raw: str, value: int) -> None:
    assert parse_amount(raw) == value


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "amount_empty"),
        ("  ", "amount_empty"),
        ("-5", "amount_format"),
        ("12.5", "amount_format"),
        ("一千", "amount_format"),
        ("9" * 12, "amount_format"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_amount(raw)
    assert refused.value.code == code
