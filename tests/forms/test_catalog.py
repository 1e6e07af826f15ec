"""The catalog loads from data, and a bad file fails loudly with the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.catalog import load_catalog
from forms.errors import CatalogError
from forms.messages import text

GOOD = (Path(__file__).resolve().parents[2] / "resources" / "catalog" / "sw_senior_card.toml").read_text(
    encoding="utf-8"
)


def test_shipped_catalog_loads_and_is_searchable() -> None:
    catalog = load_catalog()
    senior = catalog.get("SW-01")
    assert senior.name_zh == "敬老愛心卡"
    assert senior.lookups == ("household",)
    for query in ("敬老", "sw-01", "社政", "老人", "senior", ""):
        assert senior in catalog.search(query), query
    assert catalog.search("戶籍謄本") == []


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("fee = 0", 'fee = "free"', "fee"),
        ("fee = 0", "fee = true", "fee"),
        ("fee = 0", "fee = -5", "fee"),
        ('cross_district = "申辦"', 'cross_district = "代辦"', "cross_district"),
        ('lookups = ["household"]', 'lookups = ["astrology"]', "lookups"),
        ('lookups = ["household"]', "lookups = []", "lookups"),
        ('method = "birthday_month"', 'method = "lunar"', "rules[1]"),
        ("years = 65", 'years = "65"', "rules[1].years"),
        ('kind = "residence_in_city"', 'kind = "exec"', "rules[2].kind"),
        ('code = "SW-01"', 'code = "SW-01"\ncolour = "red"', "colour"),
        ('name_zh = "敬老愛心卡"\n', "", "name_zh"),
        ("schema_version = 1", "schema_version = 9", "schema_version"),
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
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert "a.toml" in err.value.params["problem"]


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogError):
        load_catalog(tmp_path)
