"""Cash by note and coin, by hand: the Central Bank's denominations in circulation (notes 2,000 / 1,000 / 500 / 200 /
100; coins 50 / 20 / 10 / 5 / 1) and counts worked out on paper."""

from __future__ import annotations

import pytest

from forms.cashcount import (
    DENOMINATIONS,
    as_figures,
    combined,
    from_figures,
    kind,
    pieces,
    pieces_text,
    read_pieces,
    total,
)
from forms.errors import ValidationError


def test_the_denominations_in_circulation_largest_first() -> None:
    assert DENOMINATIONS == (2000, 1000, 500, 200, 100, 50, 20, 10, 5, 1)
    assert [kind(d) for d in (2000, 100, 50, 1)] == ["紙鈔", "紙鈔", "硬幣", "硬幣"]


@pytest.mark.parametrize(
    ("typed", "count", "amount"),
    [
        ({1000: "3", 100: "2", 10: "5"}, ((1000, 3), (100, 2), (10, 5)), 3250),
        ({1: "4", 2000: "1", 500: ""}, ((2000, 1), (1, 4)), 2004),  # blank is none; largest first
        ({50: " ０７ ", 20: "0"}, ((50, 7),), 350),  # full-width digits, spaces, zero left out
        ({200: "1,000"}, ((200, 1000),), 200_000),
        ({}, (), 0),
    ],
)
def test_a_count_as_typed(typed: dict[int, str], count: tuple[tuple[int, int], ...], amount: int) -> None:
    assert read_pieces(typed) == count
    assert total(count) == amount


@pytest.mark.parametrize(
    ("typed", "code", "denomination"),
    [
        ({100: "三"}, "cash_pieces_bad", 100),
        ({100: "-1"}, "cash_pieces_bad", 100),
        ({10: "2.5"}, "cash_pieces_bad", 10),
        ({5: "100000"}, "cash_pieces_bad", 5),  # more than 99,999 pieces in one drawer
        ({100: " ", 10: "x"}, "cash_pieces_bad", 10),  # a blank box is skipped, the next is still read
        ({300: "1"}, "cash_denomination", 300),
        ({25: "1"}, "cash_denomination", 25),
    ],
)
def test_what_is_not_a_count(typed: dict[int, str], code: str, denomination: int) -> None:
    with pytest.raises(ValidationError) as caught:
        read_pieces(typed)
    limit = {"max": 99_999} if code == "cash_pieces_bad" else {}  # the message says how many at most
    assert (caught.value.code, caught.value.params) == (code, {"denomination": denomination, **limit})


def test_the_last_whole_count_is_accepted() -> None:
    assert pieces({1: 99_999}) == ((1, 99_999),)
    assert pieces({1: 0}) == ()


def test_counts_add_up_across_drawers_and_travel_in_the_figures() -> None:
    amy = ((1000, 1), (100, 3))
    ben = ((500, 1), (100, 2), (5, 2))
    both = combined([amy, ben, ()])
    assert both == ((1000, 1), (500, 1), (100, 5), (5, 2))
    assert total(both) == 2010
    assert as_figures(both) == {"cash_1000": 1, "cash_500": 1, "cash_100": 5, "cash_5": 2}
    assert from_figures({"cases": 3, "cash_counted": 2010, "cash_100": 5, "cash_1000": 1, "cash_5": 2,
                         "cash_500": 1, "cash_20": 0}) == both  # fmt: skip
    assert from_figures({"cases": 3}) == ()


def test_a_count_in_words() -> None:
    assert pieces_text(((2000, 1), (100, 12), (1, 3))) == "2,000 元 × 1、100 元 × 12、1 元 × 3"
    assert pieces_text(()) == ""
