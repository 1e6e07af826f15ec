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


@pytest.mark.parametrize("name", ["王\u202e明", "王\x00明", "王\u200b明", "王\x1b[31m", "\ufeff王明"])
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


def test_name_at_its_limit_accepted_one_over_refused() -> None:
    assert validate_name("王" * NAME_MAX_CHARS) == "王" * NAME_MAX_CHARS
    with pytest.raises(ValidationError) as err:
        validate_name("王" * (NAME_MAX_CHARS + 1))
    assert err.value.code == "name_too_long"


# A lone surrogate (category Cs) arrives from a broken clipboard or a hostile file; U+0378 is unassigned (Cn) in
# every Unicode version so far (private use is a register's rare character: tests/forms/test_names.py).
@pytest.mark.parametrize("name", ["王\ud800明", "王\udfff", "王\u0378明", "\U000e0080王"])
def test_surrogate_and_unassigned_characters_refused(name: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_name(name)
    assert err.value.code == "name_bad_char"


def test_born_today_is_a_valid_birth_date() -> None:
    form = validate_applicant("A123456789", "王小明", "115/11/21", TODAY)
    assert form.problems == {}
    assert form.applicant is not None and form.applicant.birth_date == TODAY


def test_service_fields_are_validated_with_the_applicant() -> None:
    from forms.fields import FieldSpec

    specs = (
        FieldSpec("phone", "phone", "電話", "Phone"),
        FieldSpec("since", "date", "事件發生日", "Event", when="past"),
        FieldSpec("note", "text", "備註", "Note", required=False),
    )
    form = validate_applicant(
        "A123456789", "王小明", "050/03/15", TODAY, specs, {"phone": "0912 345 678", "since": "115/11/20"}
    )
    assert form.problems == {}
    assert form.fields == {"phone": "0912-345-678", "since": "2026-11-20", "note": ""}

    # A missing required field and a bad one are reported with the applicant's problems; the good one is kept.
    form = validate_applicant("A123456789", "", "050/03/15", TODAY, specs, {"since": "115/11/22"})
    assert set(form.problems) == {"phone", "since", "name"}
    assert form.problems["since"].code == "date_after_today"
    assert form.problems["phone"].code == "field_required"
    assert form.applicant is None
    assert form.fields == {"note": ""}

    # No field values at all: every required field reported, nothing invented.
    form = validate_applicant("A123456789", "王小明", "050/03/15", TODAY, specs)
    assert set(form.problems) == {"phone", "since"}
    assert form.applicant is not None


@pytest.mark.parametrize(
    ("raw_id", "raw_name", "raw_birth", "bad"),
    [
        ("A123456788", "王小明", "050/03/15", {"national_id"}),
        ("A123456789", "", "050/03/15", {"name"}),
        ("A123456789", "王小明", "", {"birth_date"}),
        ("A123456788", "", "050/03/15", {"national_id", "name"}),
        ("A123456789", "", "", {"name", "birth_date"}),
        ("A123456788", "王小明", "", {"national_id", "birth_date"}),
    ],
)
def test_no_applicant_while_one_is_wrong(raw_id: str, raw_name: str, raw_birth: str, bad: set[str]) -> None:
    form = validate_applicant(raw_id, raw_name, raw_birth, TODAY)
    assert set(form.problems) == bad
    assert form.applicant is None


def test_a_reason_stored_before_its_sentence_gained_a_figure_still_reads() -> None:
    """A case from before 年齡 was part of age_under: its stored parameters lack `age`; the sentence shows ？."""
    assert text("age_under", min_age=65, eligible_from="115年11月1日") == "未滿65歲（？歲），115年11月1日起符合。"
