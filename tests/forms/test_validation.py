"""Applicant fields: every problem reported at once, hostile text refused."""

from __future__ import annotations

from datetime import date

import pytest

from forms.errors import ValidationError
from forms.messages import MESSAGES, text
from forms.validation import NAME_MAX_CHARS, validate_applicant, validate_name

TODAY = date(2026, 11, 21)


def test_valid_applicant() -> None:
    form = validate_applicant("a123456789", " 王小明 ", "050/03/15", TODAY)
    assert form.problems == {}
    assert form.applicant is not None
    assert form.applicant.national_id.value == "A123456789"
    assert form.applicant.name == "王小明"
    assert form.applicant.birth_date == date(1961, 3, 15)


def test_all_problems_at_once_with_zh_tw_text() -> None:
    form = validate_applicant("A123456788", "", "115/02/30", TODAY)
    assert form.applicant is None
    assert set(form.problems) == {"national_id", "name", "birth_date"}
    messages = [text(p.code, **p.params) for p in form.problems.values()]
    assert "身分證統一編號檢查碼不符" in messages[0]
    assert "請輸入申請人姓名" in messages[1]
    assert "民國115年2月30日" in messages[2]


def test_future_birth_date() -> None:
    form = validate_applicant("A123456789", "王小明", "115/11/22", TODAY)
    assert form.problems["birth_date"].code == "date_in_future"


@pytest.mark.parametrize("name", ["王\u202e明", "王\x00明", "王\u200b明", "王\x1b[31m", "\ufeff王明", "王\ue000明"])
def test_control_and_format_characters_refused(name: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_name(name)
    assert err.value.code == "name_bad_char"


def test_very_long_name_refused() -> None:
    with pytest.raises(ValidationError) as err:
        validate_name("王" * 10_000)
    assert err.value.code == "name_too_long"
    assert str(NAME_MAX_CHARS) in text(err.value.code, **err.value.params)


@pytest.mark.parametrize("name", ["𡘙小明", "Kolas Yotaka", "瓦歷斯‧諾幹", "Ngiyaw·Iyo", "阮氏秋HANG", "羅珮瑜"])
def test_real_world_names_accepted(name: str) -> None:
    assert validate_name(name) == name


def test_every_message_has_both_languages() -> None:
    for code, texts in MESSAGES.items():
        assert texts.get("zh-TW") and texts.get("en"), code
