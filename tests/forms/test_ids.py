"""National ID and resident UI numbers: published vectors, normalisation, property tests, masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.errors import ValidationError
from forms.ids import LETTER_CODES, IdKind, check_digit, mask_id, parse_id
from forms.names import mask_name

# TAIWAN_PRACTICE.md §1.5
VALID = {
    "A123456789": IdKind.CITIZEN,
    "A223456781": IdKind.CITIZEN,
    "F123812219": IdKind.CITIZEN,
    "I123456781": IdKind.CITIZEN,
    "O123456782": IdKind.CITIZEN,
    "W123456789": IdKind.CITIZEN,
    "Z123456780": IdKind.CITIZEN,
    "D123456782": IdKind.CITIZEN,
    "H123456786": IdKind.CITIZEN,
    "A800000014": IdKind.RESIDENT_NEW,
    "A806754477": IdKind.RESIDENT_NEW,
    "A823456783": IdKind.RESIDENT_NEW,
    "A923456785": IdKind.RESIDENT_NEW,
    "H823456780": IdKind.RESIDENT_NEW,
    "D923456788": IdKind.RESIDENT_NEW,
    "AC17003729": IdKind.RESIDENT_OLD,
    "AA00000009": IdKind.RESIDENT_OLD,
}
INVALID = {
    "A123456788": "id_checksum",
    "A223456789": "id_checksum",
    "I100000000": "id_checksum",
    "O100000000": "id_checksum",
    "W100000000": "id_checksum",
    "Z100000000": "id_checksum",
    "A906754477": "id_checksum",
    "AB17003729": "id_checksum",
    "A323456789": "id_format",
    "A12345678": "id_format",
    "1123456789": "id_format",
    "": "id_empty",
    "   ": "id_empty",
    "A12345678\u0669": "id_format",  # Arabic-Indic digit: isdigit() but not ASCII
}


@pytest.mark.parametrize(("value", "kind"), VALID.items())
def test_published_valid_vectors(value: str, kind: IdKind) -> None:
    assert parse_id(value).kind is kind


@pytest.mark.parametrize(("value", "code"), INVALID.items())
def test_published_invalid_vectors(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_id(value)
    assert err.value.code == code


@pytest.mark.parametrize("raw", ["a123456789", " A123456789 ", "Ａ１２３４５６７８９", "A 1234 56789", "a123456789\n"])
def test_normalises_case_spaces_and_full_width(raw: str) -> None:
    assert parse_id(raw).value == "A123456789"


prefixes = st.tuples(
    st.sampled_from(sorted(LETTER_CODES)), st.sampled_from("1289"), st.text("0123456789", min_size=7, max_size=7)
)


@given(prefixes)
def test_completed_prefix_is_valid_and_every_other_check_digit_is_not(parts: tuple[str, str, str]) -> None:
    prefix = "".join(parts)
    good = check_digit(prefix)
    assert parse_id(prefix + good).value == prefix + good
    for other in "0123456789".replace(good, ""):
        with pytest.raises(ValidationError):
            parse_id(prefix + other)


@given(prefixes, st.integers(min_value=2, max_value=9), st.integers(min_value=1, max_value=9))
def test_single_digit_change_is_caught_exactly_when_the_weight_allows(
    parts: tuple[str, str, str], position: int, delta: int
) -> None:
    # A mod-10 weighted sum misses a change of `delta` at weight w exactly when w*delta ≡ 0 (mod 10),
    # e.g. +2 at the weight-5 position: the check is as strong as the published algorithm, no stronger.
    value = "".join(parts) + check_digit("".join(parts))
    weight = (7, 6, 5, 4, 3, 2, 1, 1)[position - 2]  # value[1] (sex digit) has weight 8
    changed = value[:position] + str((int(value[position]) + delta) % 10) + value[position + 1 :]
    if weight * delta % 10:
        with pytest.raises(ValidationError):
            parse_id(changed)
    else:
        assert parse_id(changed)


def test_mask_follows_the_government_rule() -> None:
    assert mask_id("A123456789") == "A12345****"
    assert parse_id("h123456786").masked() == "H12345****"


@pytest.mark.parametrize(
    ("name", "masked"), [("王小明", "王○明"), ("林立", "林○"), ("歐陽娜娜", "歐○○娜"), ("𡘙小明", "𡘙○明")]
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("A123456789", "A12345****"), ("ABCDE", "A****"), ("ABCD", "****"), ("AB", "**"), ("", "")],
)
def test_masking_hides_the_last_four_whatever_the_length(value: str, masked: str) -> None:
    assert mask_id(value) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王", "○"), ("王明", "王○"), ("王小明", "王○明"), ("", ""), ("林 一", "林○"), (" 林　一 ", "林○"),
     ("歐陽 娜娜", "歐○○娜"), ("Labay Eyong", "L○○○○○○○○g"), ("瓦歷斯‧諾幹", "瓦○○○○幹"), ("   ", "")],
)  # fmt: skip
def test_short_names_are_masked_too(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_id_digest_is_hmac_sha256_of_the_number() -> None:
    """RFC 4231 test case 2 (key "Jefe"): the published HMAC-SHA256 value."""
    from forms.ids import id_digest

    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert id_digest("what do ya want for nothing?", b"Jefe") == expected
