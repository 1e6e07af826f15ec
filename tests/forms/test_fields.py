"""Field-type validators: normalised value or a coded problem."""

from __future__ import annotations

from datetime import date

import pytest

from forms.errors import ValidationError
from forms.fields import FieldSpec, validate_field
from forms.messages import text

TODAY = date(2026, 11, 20)


def spec(kind: str, **kw: object) -> FieldSpec:
    return FieldSpec("f", kind, "欄位", "field", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("phone", "0912345678", "0912-345-678"),
        ("phone", "０９１２－３４５－６７８", "0912-345-678"),
        ("phone", "(03)332-2101", "033322101"),
        ("phone", "02-2345-6789#123", "0223456789#123"),
        ("phone", "049 222 2333", "0492222333"),
        ("address", "桃園市桃園區中正里中正路1號", "桃園市桃園區中正里中正路1號"),
        ("address", "臺東縣東河鄉都蘭村12鄰", "臺東縣東河鄉都蘭村12鄰"),
        ("amount", "12,000", "12000"),
        ("amount", "１２０００元", "12000"),
        ("yesno", "是", "是"),
        ("yesno", "N", "否"),
        ("date", "115/12/01", "2026-12-01"),
        ("id", "a123456789", "A123456789"),
        ("text", "  地號  123 ", "地號 123"),
    ],
)
def test_valid_values_are_normalised(kind: str, raw: str, value: str) -> None:
    assert validate_field(spec(kind), raw, TODAY) == value


@pytest.mark.parametrize(
    ("kind", "raw", "code"),
    [
        ("phone", "091234567", "phone_mobile_length"),
        ("phone", "3322101", "phone_no_area_code"),
        ("phone", "call me", "phone_format"),
        ("phone", "0912345678#ext", "phone_format"),
        ("address", "中正路1號", "address_no_district"),
        ("address", "桃園市桃園區中正路1號", "address_no_village"),
        ("amount", "-5", "amount_format"),
        ("amount", "1.5", "amount_format"),
        ("amount", "999999999999", "amount_too_large"),
        ("yesno", "maybe", "yesno_format"),
        ("date", "115/02/30", "date_impossible"),
        ("id", "A123456788", "id_checksum"),
        ("text", "a\u202eb", "text_bad_char"),
        ("text", "x" * 201, "text_too_long"),
        ("text", "", "field_required"),
    ],
)
def test_bad_values_get_a_coded_message(kind: str, raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_field(spec(kind), raw, TODAY)
    assert err.value.code == code
    assert text(err.value.code, **err.value.params)


def test_choice_and_optional() -> None:
    choice = spec("choice", choices=("甲級", "乙級"))
    assert validate_field(choice, "乙級", TODAY) == "乙級"
    with pytest.raises(ValidationError) as err:
        validate_field(choice, "丁級", TODAY)
    assert "甲級、乙級" in text(err.value.code, **err.value.params)
    assert validate_field(spec("phone", required=False), "  ", TODAY) == ""


@pytest.mark.parametrize(
    ("when", "raw", "outcome"),
    [
        # TODAY is 2026-11-20 (ROC 115/11/20).
        ("past", "115/11/20", "2026-11-20"),
        ("past", "115/11/19", "2026-11-19"),
        ("past", "115/11/21", "date_after_today"),
        ("future", "115/11/20", "2026-11-20"),
        ("future", "115/11/21", "2026-11-21"),
        ("future", "115/11/19", "date_before_today"),
        ("", "100/01/01", "2011-01-01"),
        ("", "130/01/01", "2041-01-01"),
    ],
)
def test_a_date_field_on_its_side_of_today(when: str, raw: str, outcome: str) -> None:
    field = spec("date", when=when)
    if outcome.startswith("date_"):
        with pytest.raises(ValidationError) as err:
            validate_field(field, raw, TODAY)
        assert err.value.code == outcome
        assert "今天" in text(err.value.code)
    else:
        assert validate_field(field, raw, TODAY) == outcome


def test_the_shipped_date_fields_say_which_side_of_today() -> None:
    from forms.catalog import load_catalog

    sides = {(s.code, f.id): f.when for s in load_catalog().services for f in s.fields if f.type == "date"}
    assert sides and all(sides.values()), sides
    assert {f for (_, f), when in sides.items() if when == "future"} == {"departure_date"}


def test_a_choice_with_full_width_brackets_is_kept_in_the_catalogs_wording() -> None:
    spec = FieldSpec("proof", "choice", "證明", "Proof", choices=("醫師診斷證明（3個月內）", "警察局走失紀錄"))
    assert validate_field(spec, "醫師診斷證明（3個月內）", date(2026, 11, 20)) == "醫師診斷證明（3個月內）"
    assert validate_field(spec, "醫師診斷證明(3個月內)", date(2026, 11, 20)) == "醫師診斷證明（3個月內）"
