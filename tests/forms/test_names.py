"""Names as people write them: each class of character a name may hold, each it may not (with its message), how
two spellings of a name compare, and how a name is masked and printed. The cases are written here by hand."""

from __future__ import annotations

import pytest

from forms.errors import ValidationError
from forms.messages import text
from forms.names import NAME_MAX_CHARS, fold, has_private_use, mask_name, on_paper, same_name, validate_name

ACCEPTED = [
    ("王小明", "王小明"),  # CJK
    ("𡘙小明", "𡘙小明"),  # CJK Extension B (outside the BMP)
    ("𫝀玉", "𫝀玉"),  # CJK Extension D
    ("Kolas Yotaka", "Kolas Yotaka"),  # an indigenous name in romanisation
    ("瓦歷斯‧諾幹", "瓦歷斯‧諾幹"),  # U+2027, as 戶政 writes it
    ("Ngiyaw·Iyo", "Ngiyaw·Iyo"),  # U+00B7
    ("ヤマダ・タロウ", "ヤマダ・タロウ"),  # U+30FB
    ("阮氏秋HANG", "阮氏秋HANG"),
    ("O'Brien", "O'Brien"),
    ("D’Angelo", "D’Angelo"),  # U+2019
    ("Jean-Luc Picard", "Jean-Luc Picard"),
    ("Jose\u0301", "José"),  # a combining accent, composed (NFC)
    ("Nguyễn Thị Lan", "Nguyễn Thị Lan"),
    ("An\u0304a", "An\u0304a"),  # n with a macron: no precomposed form, the mark stays on its letter
    ("Lin\u0304\u0301", "Lin\u0304\u0301"),  # two marks on one letter (the second follows a mark)
    ("林\ue000\u0301", "林\ue000\u0301"),  # a mark on a register's rare character
    ("김민준", "김민준"),
    ("देवी", "देवी"),  # Devanagari with a vowel sign (a combining mark)
    ("محمد", "محمد"),
    ("  王　小明  ", "王 小明"),  # full-width and repeated spaces: one space, trimmed
    ("林\ue000美", "林\ue000美"),  # a rare character of the household register (Private Use Area)
    ("\U000f0001明", "\U000f0001明"),  # supplementary private use (plane 15)
]


@pytest.mark.parametrize(("typed", "kept"), ACCEPTED)
def test_names_people_have_are_accepted(typed: str, kept: str) -> None:
    assert validate_name(typed) == kept


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("王小明2", "name_digit"),
        ("王١明", "name_digit"),  # an Arabic-Indic digit
        ("王Ⅻ", "name_digit"),  # a Roman numeral (a number letter)
        ("<script>alert(1)</script>", "name_symbol"),
        ("王&amp;明", "name_symbol"),
        ("王'; DROP TABLE cases;--", "name_symbol"),
        ("a.lin@example.com", "name_symbol"),
        ("王小明😀", "name_symbol"),
        ("王❤\ufe0f", "name_symbol"),
        ("👍🏽", "name_symbol"),
        ("🇹🇼林", "name_symbol"),
        ("王\ufe0f", "name_symbol"),  # an emoji presentation selector
        ("王\ufe00", "name_symbol"),  # the first variation selector
        ("\u0301王", "name_symbol"),  # a mark on nothing
        ("王.明", "name_symbol"),
        ("王_明", "name_symbol"),
        ("王\u202e明", "name_bad_char"),  # right-to-left override
        ("王\x00明", "name_bad_char"),
        ("王\u200d明", "name_bad_char"),  # zero-width joiner
        ("王\u00ad明", "name_bad_char"),  # soft hyphen
        ("王\x1b[31m", "name_bad_char"),
        ("王\ud800明", "name_bad_char"),  # a lone surrogate
        ("王\u0378明", "name_bad_char"),  # unassigned
        ("‧‧", "name_no_letter"),
        ("- '", "name_no_letter"),
        ("   ", "name_empty"),
        ("王" * (NAME_MAX_CHARS + 1), "name_too_long"),
    ],
)
def test_what_no_name_holds_is_refused_in_words(typed: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_name(typed)
    assert err.value.code == code
    said = text(err.value.code, **err.value.params)
    assert "姓名" in said and "{" not in said


@pytest.mark.parametrize(("typed", "shown"), [("王小明7", "「7」"), ("王&明", "「&」"), ("\u0301王", "「\u0301」")])
def test_the_refused_character_is_named(typed: str, shown: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_name(typed)
    assert shown in text(err.value.code, **err.value.params)


def test_a_name_folds_to_what_identifies_it() -> None:
    assert fold("瓦歷斯‧諾幹") == "瓦歷斯諾幹"
    assert fold("ＫＯＬＡＳ　Yotaka-Lin") == "kolasyotakalin"
    assert fold("林台生") == "林臺生"


def test_a_rare_character_is_flagged_and_printed_as_a_box() -> None:
    assert has_private_use("林\ue000美") and not has_private_use("林小美")
    assert on_paper("林\ue000美") == "林○美（含造字，請人工核對）"  # masked away, still flagged
    assert on_paper("\ue000小明") == "□○明（含造字，請人工核對）"
    assert on_paper("王小明") == "王○明"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("林　美", "林○"),  # a full-width space is no character
        ("林\u3000小美", "林○美"),
        ("歐陽 娜娜", "歐○○娜"),
        ("An\u0304a", "A○a"),  # a letter with its mark is one character
        ("Lin\u0304", "L○n\u0304"),  # … kept whole when it is the last
        ("瓦歷斯‧諾幹", "瓦○○○○幹"),
        ("𡘙小明", "𡘙○明"),
    ],
)
def test_masking_counts_characters(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("register", "typed"),
    [
        ("林臺生", "林台生"),
        ("黃溫峯", "黄温峰"),
        ("瓦歷斯‧諾幹", "瓦歷斯·諾幹"),
        ("瓦歷斯‧諾幹", "瓦歷斯・諾幹"),
        ("瓦歷斯‧諾幹", "瓦歷斯 諾幹"),
        ("KOLAS YOTAKA", "Kolas Yotaka"),
        ("Kolas Yotaka", "ＫＯＬＡＳ　ＹＯＴＡＫＡ"),  # full width
        ("Jean-Luc", "Jean Luc"),
        ("王\ue000明", "王堃明"),  # the register's rare character, typed as the clerk reads it
        ("José", "Jose\u0301"),
    ],
)
def test_one_name_written_two_ways_is_the_same_name(register: str, typed: str) -> None:
    assert same_name(register, typed)


@pytest.mark.parametrize(
    ("register", "typed"),
    [("王小明", "王大明"), ("甯小明", "寧小明"), ("王小明", "王小"), ("Lin", "Lim"), ("王\ue000明", "王明")],
)
def test_different_names_stay_different(register: str, typed: str) -> None:
    assert not same_name(register, typed)
