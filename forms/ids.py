"""Taiwanese national ID (身分證統一編號) and resident UI numbers (統一證號): normalise, validate, mask.

Rules from TAIWAN_PRACTICE.md §1: letter table with the odd I/O/W/Z codes, weights 1,9,8,...,1,1; new resident
numbers share the citizen checksum; old resident numbers take the second letter's code modulo 10.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from forms.errors import ValidationError
from forms.names import mask_name as mask_name  # masking a name lives with names; reached here beside mask_id

LETTER_CODES: dict[str, int] = {
    "A": 10,
    "B": 11,
    "C": 12,
    "D": 13,
    "E": 14,
    "F": 15,
    "G": 16,
    "H": 17,
    "I": 34,
    "J": 18,
    "K": 19,
    "L": 20,
    "M": 21,
    "N": 22,
    "O": 35,
    "P": 23,
    "Q": 24,
    "R": 25,
    "S": 26,
    "T": 27,
    "U": 28,
    "V": 29,
    "W": 32,
    "X": 30,
    "Y": 31,
    "Z": 33,
}
_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)


class IdKind(Enum):
    """Which kind of number a valid ID is."""

    CITIZEN = "citizen"  # [A-Z][12]
    RESIDENT_NEW = "resident_new"  # [A-Z][89], since 2021
    RESIDENT_OLD = "resident_old"  # [A-Z][A-D], retired 2031


@dataclass(frozen=True)
class NationalId:
    """A validated, normalised ID number."""

    value: str
    kind: IdKind

    @property
    def sex(self) -> str:
        """'M' or 'F' from the second character."""
        return "M" if self.value[1] in "18AC" else "F"

    def masked(self) -> str:
        return mask_id(self.value)

    def __str__(self) -> str:  # a reminder that str() of an ID is the full number: log masked() instead
        return self.value


def normalise_id(raw: str) -> str:
    """Trim, fold full-width characters to half-width (NFKC), drop inner spaces and upper-case."""
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(folded.split()).upper()


def _weighted_sum(first_two: tuple[int, ...], rest: str) -> int:
    digits = list(first_two) + [int(c) for c in rest]
    return sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))


def parse_id(raw: str) -> NationalId:
    """Validate an ID typed by a person.

    Raises:
        ValidationError: code id_empty, id_format or id_checksum.
    """
    value = normalise_id(raw)
    if not value:
        raise ValidationError("id_empty")
    if len(value) != 10 or value[0] not in LETTER_CODES or not value[2:].isascii() or not value[2:].isdigit():
        raise ValidationError("id_format")
    code = LETTER_CODES[value[0]]
    second = value[1]
    if second in "1289":
        kind = IdKind.CITIZEN if second in "12" else IdKind.RESIDENT_NEW
        total = _weighted_sum((code // 10, code % 10), value[1:])
    elif second in "ABCD":
        kind = IdKind.RESIDENT_OLD
        total = _weighted_sum((code // 10, code % 10, LETTER_CODES[second] % 10), value[2:])
    else:
        raise ValidationError("id_format")
    if total % 10 != 0:
        raise ValidationError("id_checksum")
    return NationalId(value, kind)


def check_digit(prefix9: str) -> str:
    """The check digit that completes a citizen or new-resident ID prefix of 9 characters (used by generators)."""
    code = LETTER_CODES[prefix9[0]]
    partial = _weighted_sum((code // 10, code % 10), prefix9[1:] + "0")
    return str((10 - partial % 10) % 10)


def mask_id(value: str) -> str:
    """Government rule (NDC 發資字第1031501471號): hide the last four characters, e.g. A12345****."""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:-4] + "****"


# Anything shaped like a national or resident ID inside free text (a log line, a traceback): letter, digit or A–D,
# eight digits. Wider than a valid ID on purpose: a mistyped number is as personal as a valid one.
ID_IN_TEXT = re.compile(r"(?<![0-9])[A-Za-z][0-9A-Da-d][0-9]{8}(?![0-9])")


def mask_ids_in(text: str) -> str:
    """The text with every ID-shaped run masked as on paper (the log file's last line of defence)."""
    return ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)


def id_digest(value: str, pepper: bytes) -> str:
    """Keyed hash of an ID for audit rows and look-up by ID without storing the number (HMAC-SHA256)."""
    return hmac.new(pepper, value.encode("ascii"), hashlib.sha256).hexdigest()
