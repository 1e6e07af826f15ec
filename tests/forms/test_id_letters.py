"""Every ID letter, checked against oracles that do not come from forms/ids.py: the letter table transcribed from
TAIWAN_PRACTICE.md §1.2, a valid vector per letter and sex computed from that table by hand-written arithmetic
below (and agreeing with the published vectors of §1.5: A123456789, I/O/W/Z…, D123456782, H123456786)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.errors import ValidationError
from forms.ids import LETTER_CODES, IdKind, check_digit, parse_id

# §1.2 as printed: letter → code (I=34, O=35, W=32, Z=33 are the odd ones).
DOC_TABLE = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34, "J": 18, "K": 19, "L": 20,
    "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30,
    "Y": 31, "Z": 33,
}  # fmt: skip
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
# One male and one female citizen number per letter (prefix 12345678 / 20000001), valid by §1.3.
VECTORS = (
    "A123456789 A200000012 B123456780 B200000013 C123456781 C200000014 D123456782 D200000015 E123456783 "
    "E200000016 F123456784 F200000017 G123456785 G200000018 H123456786 H200000019 I123456781 I200000014 "
    "J123456787 J200000010 K123456788 K200000011 L123456788 L200000011 M123456789 M200000012 N123456780 "
    "N200000013 O123456782 O200000015 P123456781 P200000014 Q123456782 Q200000015 R123456783 R200000016 "
    "S123456784 S200000017 T123456785 T200000018 U123456786 U200000019 V123456787 V200000010 W123456789 "
    "W200000012 X123456787 X200000010 Y123456788 Y200000011 Z123456780 Z200000013"
).split()


def oracle_valid(number: str) -> bool:
    """§1.3 written out again: the letter's two digits, then the nine others, weighted; valid when ≡ 0 (mod 10)."""
    code = DOC_TABLE[number[0]]
    digits = [code // 10, code % 10, *(int(c) for c in number[1:])]
    return sum(d * w for d, w in zip(digits, WEIGHTS, strict=True)) % 10 == 0


def test_the_letter_table_is_the_published_one() -> None:
    assert LETTER_CODES == DOC_TABLE


def test_every_letter_has_its_vectors() -> None:
    assert sorted({v[0] for v in VECTORS}) == sorted(DOC_TABLE) and all(oracle_valid(v) for v in VECTORS)


@pytest.mark.parametrize("number", VECTORS)
def test_each_letters_valid_number_and_only_that_check_digit(number: str) -> None:
    parsed = parse_id(number)
    assert parsed.kind is IdKind.CITIZEN and parsed.sex == ("M" if number[1] == "1" else "F")
    assert check_digit(number[:9]) == number[9]
    for digit in "0123456789":
        if digit != number[9]:
            with pytest.raises(ValidationError) as err:
                parse_id(number[:9] + digit)
            assert err.value.code == "id_checksum"


@given(
    st.sampled_from(sorted(DOC_TABLE)),
    st.sampled_from("1289"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
def test_validity_agrees_with_the_independent_oracle(letter: str, second: str, rest: str) -> None:
    number = letter + second + rest
    try:
        parse_id(number)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == oracle_valid(number)


def oracle_old_valid(number: str) -> bool:
    """§1.4, old resident numbers: the second letter contributes its code modulo 10 as a single digit."""
    first, second = DOC_TABLE[number[0]], DOC_TABLE[number[1]]
    digits = [first // 10, first % 10, second % 10, *(int(c) for c in number[2:])]
    return sum(d * w for d, w in zip(digits, WEIGHTS, strict=True)) % 10 == 0


# Old-format resident numbers (second letter A–D) of several first letters, by §1.4.
OLD_VECTORS = ("BA12345676", "FB12345672", "HC12345676", "KD12345670", "ZA12345676", "IC12345671")


@pytest.mark.parametrize("number", OLD_VECTORS)
def test_old_resident_numbers_of_other_letters(number: str) -> None:
    assert oracle_old_valid(number) and parse_id(number).kind is IdKind.RESIDENT_OLD
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    with pytest.raises(ValidationError) as err:
        parse_id(wrong)
    assert err.value.code == "id_checksum"


@pytest.mark.parametrize(
    "number",
    [
        "A1\u06623456789",  # an Arabic-Indic digit two: a digit, but not one an ID is written with
        "A1X3456789",  # a letter among the digits
        "AX23456789",  # a second character that is neither a sex digit nor A-D
        "AE23456789",
    ],
)
def test_malformed_numbers_are_format_errors_not_checksum_errors(number: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_id(number)
    assert err.value.code == "id_format"
