"""The catalog loads from data, all 38 seed items are there, and a bad file fails loudly with file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.catalog import load_catalog
from forms.errors import CatalogError
from forms.messages import text

CATALOG_DIR = Path(__file__).resolve().parents[2] / "resources" / "catalog"
GOOD = (CATALOG_DIR / "05_sw_05.toml").read_text(encoding="utf-8")
SEED_ITEMS = 38  # seed 002, appendix 1: 12 跨區申辦 + 26 跨區收件


def test_all_38_seed_items_are_present_in_order() -> None:
    catalog = load_catalog()
    assert [s.number for s in catalog] == list(range(1, SEED_ITEMS + 1))
    assert [s.cross_district for s in catalog] == ["申辦"] * 12 + ["收件"] * 26
    assert {s.category for s in catalog} == {"社政", "民政", "人文", "農經", "工務"}


def test_shipped_catalog_is_searchable() -> None:
    catalog = load_catalog()
    card = catalog.get("SW-05")
    assert card.name_zh == "敬老愛心卡"
    for query in ("敬老", "sw-05", "社政", "老人", "senior", "跨區申辦", ""):
        assert card in catalog.search(query), query
    assert [s.code for s in catalog.search("役男")] == ["CA-06", "CA-07", "CA-08"]
    assert catalog.search("不存在的項目") == []


def test_unknown_facts_are_marked_not_invented() -> None:
    for service in load_catalog():
        assert (service.fee is None) == ("fee" in service.unknown), service.code
        assert (service.time_limit_days is None) == ("time_limit_days" in service.unknown), service.code
        for doc in service.documents:
            assert doc.replaced_by is None or doc.replaced_by in service.lookups


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("fee = 0", 'fee = "free"', "fee"),
        ("fee = 0", "fee = true", "fee"),
        ("fee = 0", "fee = -5", "fee"),
        ("fee = 0\n", "", "fee"),  # neither a value nor listed as unknown
        ('cross_district = "申辦"', 'cross_district = "代辦"', "cross_district"),
        ('category = "社政"', 'category = "財政"', "category"),
        ('lookups = ["household", "disability"]', 'lookups = ["astrology"]', "lookups"),
        ('lookups = ["household", "disability"]', 'lookups = ["household"]', "lookups"),
        ('method = "birthday_month"', 'method = "lunar"', "rules[2]"),
        ('kind = "residence_in_city"', 'kind = "exec"', "rules[1].kind"),
        ('code = "SW-05"', 'code = "SW-05"\ncolour = "red"', "colour"),
        ('name_zh = "敬老愛心卡"\n', "", "name_zh"),
        ("schema_version = 1", "schema_version = 9", "schema_version"),
        ('type = "phone"', 'type = "telepathy"', "fields[0].type"),
        ('id = "phone"', 'id = "national_id"', "fields[0].id"),
        ('type = "phone"', 'type = "phone"\nwhen = "past"', "fields[0].when"),  # only a date has a side of today
        ('type = "phone"', 'type = "date"\nwhen = "yesterday"', "fields[0].when"),
        ('replaced_by = "disability"', 'replaced_by = "tax"', "documents[2].replaced_by"),
    ],
)
def test_bad_file_names_file_and_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    assert old in GOOD
    (tmp_path / "broken.toml").write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert err.value.params["key"] == key
    message = text(err.value.code, **err.value.params)
    assert "broken.toml" in message and key in message


def test_not_toml(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text("code = [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert err.value.params["key"] == "(file)"


def test_duplicate_codes(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD.replace("number = 5", "number = 99"), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert "a.toml" in err.value.params["problem"]


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogError):
        load_catalog(tmp_path)
