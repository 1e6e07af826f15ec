"""Field types of a service's extra fields and their validators: clean value (as text) or ValidationError."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from forms.errors import ValidationError
from forms.ids import parse_id
from forms.rocdate import parse_date

FIELD_TYPES = ("text", "phone", "address", "amount", "yesno", "choice", "date", "id")
DATE_WHEN = ("", "past", "future")
TEXT_MAX = 200
AMOUNT_MAX = 100_000_000


@dataclass(frozen=True)
class FieldSpec:
    """One extra field a service asks for (the applicant's ID, name and birth date are always asked)."""

    id: str
    type: str
    label_zh: str
    label_en: str
    required: bool = True
    choices: tuple[str, ...] = field(default_factory=tuple)
    hint: str = ""
    when: str = ""  # date fields only: "past" (not after today), "future" (not before today) or "" (any day)


def _fold(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def _check_chars(value: str) -> None:
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in value):
        raise ValidationError("text_bad_char")


def validate_text(raw: str) -> str:
    value = " ".join(unicodedata.normalize("NFC", raw).split())
    _check_chars(value)
    if len(value) > TEXT_MAX:
        raise ValidationError("text_too_long", limit=TEXT_MAX)
    return value


_MOBILE = re.compile(r"^09\d{8}$")
_LANDLINE = re.compile(r"^0[2-8]\d{7,8}$")


def validate_phone(raw: str) -> str:
    """Mobile 09xx-xxx-xxx, or a landline with its area code (02-2345-6789, 03-3322101, (049)2222333), ext. #123."""
    text = _fold(raw)
    main, _, ext = text.partition("#")
    digits = re.sub(r"[\s\-().]", "", main)
    if ext and not ext.strip().isdigit():
        raise ValidationError("phone_format")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError("phone_format")
    if digits.startswith("09"):
        if not _MOBILE.match(digits):
            raise ValidationError("phone_mobile_length")
        number = f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    elif _LANDLINE.match(digits):
        number = digits
    elif digits and not digits.startswith("0"):
        raise ValidationError("phone_no_area_code")
    else:
        raise ValidationError("phone_format")
    return number + (f"#{ext.strip()}" if ext else "")


_DISTRICT = re.compile(r"[^\s縣市]{1,4}(區|鄉|鎮|市)")
_VILLAGE = re.compile(r"[^\s區鄉鎮市]{1,5}(里|村)")


def validate_address(raw: str) -> str:
    """An address naming its district (區/鄉/鎮/市) and village (里/村), e.g. 桃園市桃園區中正里中正路1號."""
    value = validate_text(raw)
    if not value:
        raise ValidationError("field_required")
    if not _DISTRICT.search(value):
        raise ValidationError("address_no_district")
    if not _VILLAGE.search(value):
        raise ValidationError("address_no_village")
    return value


def validate_amount(raw: str) -> str:
    """A whole NT$ amount: 12,000 / １２０００ / 12000元."""
    text = _fold(raw).replace(",", "").removesuffix("元").strip()
    if not text.isascii() or not text.isdigit():
        raise ValidationError("amount_format")
    value = int(text)
    if value > AMOUNT_MAX:
        raise ValidationError("amount_too_large", limit=f"{AMOUNT_MAX:,}")
    return str(value)


_YES = {"是", "y", "yes", "1", "有"}
_NO = {"否", "n", "no", "0", "無"}


def validate_yesno(raw: str) -> str:
    text = _fold(raw).lower()
    if text in _YES:
        return "是"
    if text in _NO:
        return "否"
    raise ValidationError("yesno_format")


def validate_day(raw: str, when: str, today: date) -> date:
    """A date, on the side of today its field asks for (an event has happened; a departure is still to come)."""
    day = parse_date(raw)
    if when == "past" and day > today:
        raise ValidationError("date_after_today")
    if when == "future" and day < today:
        raise ValidationError("date_before_today")
    return day


def validate_field(spec: FieldSpec, raw: str, today: date) -> str:
    """Validate one field; an empty optional field gives ''.

    Raises:
        ValidationError: field_required or the type's own code.
    """
    if not _fold(raw):
        if spec.required:
            raise ValidationError("field_required")
        return ""
    checks: dict[str, Callable[[str], str]] = {
        "text": validate_text,
        "phone": validate_phone,
        "address": validate_address,
        "amount": validate_amount,
        "yesno": validate_yesno,
        "date": lambda r: validate_day(r, spec.when, today).isoformat(),
        "id": lambda r: parse_id(r).value,
    }
    if spec.type == "choice":
        # Compared folded on both sides (a choice may hold full-width brackets); the catalog's own wording is kept.
        by_folded = {_fold(c): c for c in spec.choices}
        chosen = by_folded.get(_fold(raw))
        if chosen is None:
            raise ValidationError("choice_unknown", choices="、".join(spec.choices))
        return chosen
    return checks[spec.type](raw)
