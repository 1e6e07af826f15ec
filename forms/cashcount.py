"""Cash counted by note and coin (點鈔): the New Taiwan dollar's denominations in circulation, a count per
denomination, its total, and how a count travels in a signed day's figures (`cash_<denomination>` keys).

The cashier (出納) takes the office's cash by piece, so the counts are kept beside the amount: a count is what was
in the drawer, the amount is what the supervisor signs; when both are given they must agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from forms.errors import ValidationError

NOTES = (2000, 1000, 500, 200, 100)  # 紙鈔 issued by the Central Bank
COINS = (50, 20, 10, 5, 1)  # 硬幣
DENOMINATIONS = NOTES + COINS
MAX_PIECES = 99_999  # per denomination and clerk: more is a typing slip, not a drawer
FIGURE_PREFIX = "cash_"
FIGURE_KEYS = tuple(f"{FIGURE_PREFIX}{d}" for d in DENOMINATIONS)

Pieces = tuple[tuple[int, int], ...]  # (denomination, count), largest first, no zero counts


def kind(denomination: int) -> str:
    return "紙鈔" if denomination in NOTES else "硬幣"


def pieces(counts: Mapping[int, int]) -> Pieces:
    """A count in its one form: known denominations only, largest first, zeros left out.

    Raises:
        ValidationError: cash_denomination (not a denomination in circulation), cash_pieces_bad (a count below 0 or
            above MAX_PIECES).
    """
    for denomination, count in counts.items():
        if denomination not in DENOMINATIONS:
            raise ValidationError("cash_denomination", denomination=denomination)
        if not 0 <= count <= MAX_PIECES:
            raise ValidationError("cash_pieces_bad", denomination=denomination, max=MAX_PIECES)
    return tuple((d, counts[d]) for d in DENOMINATIONS if counts.get(d))


def read_pieces(typed: Mapping[int, str]) -> Pieces:
    """A count as typed (denomination → text; blank is none); full-width digits are read as digits.

    Raises:
        ValidationError: cash_pieces_bad for text that is not a whole number of pieces, and as `pieces`.
    """
    counts: dict[int, int] = {}
    for denomination, raw in typed.items():
        cleaned = raw.strip().translate(_FULL_WIDTH).replace(",", "")
        if not cleaned:
            continue
        if not cleaned.isascii() or not cleaned.isdigit():
            raise ValidationError("cash_pieces_bad", denomination=denomination, max=MAX_PIECES)
        counts[denomination] = int(cleaned)
    return pieces(counts)


_FULL_WIDTH = str.maketrans("０１２３４５６７８９，", "0123456789,")


def total(count: Pieces) -> int:
    return sum(d * n for d, n in count)


def combined(counts: Iterable[Pieces]) -> Pieces:
    """Several counts as one (the device's drawers, the office's devices)."""
    summed: dict[int, int] = {}
    for count in counts:
        for d, n in count:
            summed[d] = summed.get(d, 0) + n
    return tuple((d, summed[d]) for d in DENOMINATIONS if summed.get(d))


def as_figures(count: Pieces) -> dict[str, int]:
    return {f"{FIGURE_PREFIX}{d}": n for d, n in count}


def from_figures(figures: Mapping[str, int]) -> Pieces:
    """The count a signed day's figures carry (other keys ignored)."""
    return tuple((d, n) for d in DENOMINATIONS if (n := figures.get(f"{FIGURE_PREFIX}{d}", 0)) > 0)


def pieces_text(count: Pieces) -> str:
    """「1,000 元 × 3、100 元 × 2、10 元 × 5」 (empty for no count)."""
    return "、".join(f"{d:,} 元 × {n:,}" for d, n in count)
