"""What may follow what after intake, and what each step must say: a hand-written table of every status and step."""

from __future__ import annotations

from datetime import date

import pytest

from forms.casesteps import Step, allowed_steps, check_step
from forms.errors import ValidationError

TODAY = date(2026, 12, 3)
LATER = date(2026, 12, 14)

# (current status, step) → allowed; every pair is listed.
ALLOWED = {
    "收件": {"審核中", "補件", "核准", "駁回"},
    "已轉送": {"審核中", "補件", "核准", "駁回"},
    "審核中": {"補件", "核准", "駁回"},
    "補件": {"審核中", "補件", "核准", "駁回"},
    "核准": set(),
    "駁回": set(),
    "撤回": set(),
}


def good(step: str) -> Step:
    if step == "補件":
        return Step(step, "", ("戶口名簿影本",), LATER)
    return Step(step, "資格不符，戶籍不在本市" if step == "駁回" else "")


@pytest.mark.parametrize("current", sorted(ALLOWED))
@pytest.mark.parametrize("step", ["審核中", "補件", "核准", "駁回"])
def test_every_status_and_step(current: str, step: str) -> None:
    assert (step in allowed_steps(current)) == (step in ALLOWED[current])
    if step in ALLOWED[current]:
        assert check_step(current, good(step), TODAY).status == step
        return
    with pytest.raises(ValidationError) as refused:
        check_step(current, good(step), TODAY)
    assert refused.value.code == ("step_case_closed" if not ALLOWED[current] else "step_not_allowed")


@pytest.mark.parametrize(
    ("step", "code"),
    [
        (Step("駁回", "不符"), "step_reason_short"),  # 2 characters
        (Step("駁回", "    不符合規定 "), None),  # 5 once trimmed
        (Step("駁回", "  不符合  "), "step_reason_short"),
        (Step("補件", "", (), LATER), "step_owed_missing"),
        (Step("補件", "", ("  ",), LATER), "step_owed_missing"),
        (Step("補件", "", ("照片",), None), "step_owed_missing"),
        (Step("補件", "", ("照片",), TODAY), "step_owed_past"),
        (Step("補件", "", ("照片",), date(2026, 12, 4)), None),  # tomorrow
        (Step("補件", "", tuple(f"文件{i}" for i in range(31)), LATER), "step_owed_missing"),
        (Step("核准", "", ("照片",)), "step_owed_extra"),
        (Step("審核中", "", (), LATER), "step_owed_extra"),
    ],
)
def test_what_each_step_must_say(step: Step, code: str | None) -> None:
    if code is None:
        check_step("收件", step, TODAY)
        return
    with pytest.raises(ValidationError) as refused:
        check_step("收件", step, TODAY)
    assert refused.value.code == code


def test_a_step_is_tidied() -> None:
    got = check_step("收件", Step("補件", "  請補照片 ", (" 照片 ", "照片", "印章"), LATER), TODAY)
    assert got == Step("補件", "請補照片", ("照片", "印章"), LATER)


def test_a_step_in_the_words_the_receiving_office_keeps() -> None:
    from forms.casesteps import step_words

    assert (
        step_words("請補齊後送本所", ("戶口名簿影本", "照片"), LATER)
        == "應補：戶口名簿影本、照片（115年12月14日前）；請補齊後送本所"
    )
    assert step_words("", ("照片",), None) == "應補：照片"
    assert step_words(" 已轉出 ", (), None) == "已轉出" and step_words("", (), None) == ""


def test_refusals_name_what_the_message_needs() -> None:
    cases = [
        ("核准", Step("審核中"), ("step_case_closed", {"status": "核准"})),
        ("審核中", Step("審核中"), ("step_not_allowed", {"status": "審核中", "step": "審核中"})),
        ("收件", Step("駁回", "不符"), ("step_reason_short", {"min": 5})),
        ("收件", Step("補件", "", (), LATER), ("step_owed_missing", {"max": 30})),
    ]
    for current, step, (code, params) in cases:
        with pytest.raises(ValidationError) as refused:
            check_step(current, step, TODAY)
        assert (refused.value.code, refused.value.params) == (code, params)


def test_thirty_documents_is_the_most_one_request_lists() -> None:
    thirty = tuple(f"文件{i}" for i in range(30))
    assert check_step("收件", Step("補件", "", thirty, LATER), TODAY).owed == thirty
