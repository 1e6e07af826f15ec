"""Look-up records as the central services answer them, for decision tests: a plain resident of 桃園市 that each
test changes only where it matters (`household_record(birth, name=…)`)."""

from __future__ import annotations

from datetime import date
from typing import Any


def household_record(birth: date, **over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "found": True,
        "name": "王小明",
        "birth_date": birth.isoformat(),
        "city_code": "68000000",
        "city_name": "桃園市",
        "household_size": 2,
        "indigenous": False,
        "members": [],
    }
    record.update(over)
    return record
