"""People's names as they are written: what a name may hold, how two spellings of one name compare, how a name is
masked on paper.

A name holds letters of any script (CJK incl. Extension B and beyond, Latin, …), combining marks on a letter, the
separators of indigenous and foreign names (‧ · ・), spaces, hyphens and apostrophes. Household registration keeps
its rare characters (造字) in the Private Use Area: such a name is accepted and flagged for a person to check,
since no font here draws them and no other system shares their code points.
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

from forms.errors import ValidationError

NAME_MAX_CHARS = 50  # indigenous names in romanisation plus a Han name fit well within this
SEPARATORS = frozenset("‧·・･")  # U+2027 (戶政), U+00B7, U+30FB, U+FF65
HYPHENS = frozenset("-‐‑")  # ASCII, U+2010, U+2011
APOSTROPHES = frozenset("'’ʼ")  # ASCII, U+2019, U+02BC
PUNCTUATION_OF_NAMES = SEPARATORS | HYPHENS | APOSTROPHES
# Ideographic variation selectors pick a glyph of a Han character (used by registers for variant forms).
_IVS = range(0xE0100, 0xE01F0)
PRIVATE_USE_FLAG = "含造字，請人工核對"
PLACEHOLDER = "□"  # printed in place of a rare character: the clerk writes it over by hand

# Variant forms of one character that registers and people use interchangeably (異體字). Only pairs that are one
# character written two ways belong here, never two distinct surnames (甯/寧, 游/遊 stay apart).
_VARIANTS = {
    "台": "臺", "峯": "峰", "羣": "群", "裏": "裡", "衆": "眾", "爲": "為", "啓": "啟", "敎": "教", "眞": "真",
    "淸": "清", "靑": "青", "黄": "黃", "温": "溫", "户": "戶", "戸": "戶", "彦": "彥", "姸": "妍", "却": "卻",
    "綫": "線", "鷄": "雞", "兎": "兔", "閒": "閑", "峩": "峨", "濶": "闊", "脗": "吻",
}  # fmt: skip


def _is_private(ch: str) -> bool:
    return unicodedata.category(ch) == "Co"


_HOSTILE = frozenset({"Cc", "Cf", "Cs", "Cn"})  # control, format (RLO, zero-width), surrogates, unassigned
_VARIATION_SELECTORS = frozenset(map(chr, range(0xFE00, 0xFE10)))  # FE0E/FE0F turn a character into an emoji


def _refusal(ch: str, previous: str) -> str | None:
    """The message code refusing `ch` in a name (after `previous`), or None when a name may hold it."""
    category = unicodedata.category(ch)
    if ch.isspace() or ch in PUNCTUATION_OF_NAMES or category == "Co" or category.startswith("L"):
        return None
    if (category.startswith("M") and ch not in _VARIATION_SELECTORS) or ord(ch) in _IVS:
        # A mark belongs to a letter (or to a mark on one, or to a register's rare character).
        after = unicodedata.category(previous)
        return None if after.startswith(("L", "M")) or after == "Co" else "name_symbol"
    if category.startswith("N"):
        return "name_digit"
    return "name_symbol"  # markup, punctuation no name has, emoji and other symbols


def validate_name(raw: str) -> str:
    """The name, NFC and with each run of spaces (full-width too) one space.

    Raises:
        ValidationError: name_empty, name_too_long, name_bad_char (control, format, surrogate or unassigned),
            name_digit, name_symbol (markup, punctuation, emoji) or name_no_letter.
    """
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise ValidationError("name_empty")
    if len(name) > NAME_MAX_CHARS:
        raise ValidationError("name_too_long", limit=NAME_MAX_CHARS)
    # Hostile characters first: they are refused as such, whatever else the name holds.
    if any(unicodedata.category(ch) in _HOSTILE for ch in name):
        raise ValidationError("name_bad_char")
    for previous, ch in pairwise(" " + name):  # the first character follows nothing (a space)
        code = _refusal(ch, previous)
        if code is not None:
            raise ValidationError(code, char=ch)
    if not any(unicodedata.category(ch).startswith("L") or _is_private(ch) for ch in name):
        raise ValidationError("name_no_letter")
    return name


def has_private_use(name: str) -> bool:
    """The name holds a rare character of the household register (造字): a person must check it by eye."""
    return any(_is_private(ch) for ch in name)


def characters(name: str) -> list[str]:
    """The name's characters as a reader counts them: a letter with its marks is one, spaces are none."""
    found: list[str] = []
    for ch in name:
        if ch.isspace():
            continue
        if found and (unicodedata.category(ch).startswith("M") or ord(ch) in _IVS):
            found[-1] += ch
        else:
            found.append(ch)
    return found


def mask_name(name: str) -> str:
    """De-identify a name as 王○明: keep the first and (for 3+ characters) the last character. Spaces are not
    characters of the name: 林 一 (with any space) is a two-character name, masked 林○."""
    chars = characters(name)
    if len(chars) <= 1:
        return "○" * len(chars)
    if len(chars) == 2:
        return chars[0] + "○"
    return chars[0] + "○" * (len(chars) - 2) + chars[-1]


def on_paper(name: str) -> str:
    """The name as paper prints it: masked, each rare character a box the clerk writes over by hand, and the flag
    whenever the name holds one (even where masking hid it)."""
    masked = mask_name(name)
    if not has_private_use(name):
        return masked
    return "".join(PLACEHOLDER if _is_private(ch) else ch for ch in masked) + f"（{PRIVATE_USE_FLAG}）"


def fold(name: str) -> str:
    """A name reduced to what identifies it: width and compatibility forms (NFKC), case, variant characters, and no
    spaces or separators (王 小明 = 王小明, 瓦歷斯‧諾幹 = 瓦歷斯·諾幹, 林台生 = 林臺生)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(_VARIANTS.get(ch, ch) for ch in folded if not ch.isspace() and ch not in PUNCTUATION_OF_NAMES)


def same_name(a: str, b: str) -> bool:
    """Whether two spellings are one name. A rare character (造字) matches any one character in its place: its code
    point is the register's own, so the clerk checks it by eye (the name is flagged)."""
    fa, fb = characters(fold(a)), characters(fold(b))
    if len(fa) != len(fb):
        return False
    return all(x == y or has_private_use(x) or has_private_use(y) for x, y in zip(fa, fb, strict=True))
