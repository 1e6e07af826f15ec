"""The catalog loads from data, all 38 seed items are there, and a bad file fails loudly with file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.catalog import load_catalog
from forms.errors import CatalogError
from forms.messages import text

CATALOG_DIR = Path(__file__).resolve().parents[2] / "resources" / "catalog"
GOOD = (CATALOG_DIR / "05_sw_05.toml").read_text(encoding="utf-8")
WAIVER = 'fee_waivers = [{ code = "low_income", label = "低收入戶", basis = "自治條例" }]\n'
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
        assert service.time_limit.by_default == ("time_limit" in service.unknown), service.code
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
        ("schema_version = 2", "schema_version = 9", "schema_version"),
        ('unit = "on_the_spot"', 'unit = "fortnights"', "time_limit.unit"),
        ("value = 0,", "value = 3,", "time_limit.value"),  # on the spot is 0
        (
            'basis = "現場製卡核發（TAIWAN_PRACTICE.md §3.A 桃園市社福資訊彙整、臺南市敬老卡）"',
            'basis = " "',
            "time_limit.basis",
        ),
        ("time_limit = {", "time_limit_days = 0\ntime_limit = {", "time_limit_days"),  # a version-1 key in version 2
        ('type = "phone"', 'type = "telepathy"', "fields[0].type"),
        ('id = "phone"', 'id = "national_id"', "fields[0].id"),
        ('type = "phone"', 'type = "phone"\nwhen = "past"', "fields[0].when"),  # only a date has a side of today
        ('type = "phone"', 'type = "date"\nwhen = "yesterday"', "fields[0].when"),
        ('replaced_by = "disability"', 'replaced_by = "tax"', "documents[2].replaced_by"),
        # 免徵 grounds: only on a published fee above 0, each with a code, a label and where it is published.
        ("fee = 0\n", "fee = 0\n" + WAIVER, "fee_waivers"),
        ("fee = 0\n", "fee = 100\n" + WAIVER.replace('code = "low_income"', 'code = "低收"'), "fee_waivers[0].code"),
        ("fee = 0\n", "fee = 100\n" + WAIVER.replace('basis = "自治條例"', 'basis = " "'), "fee_waivers[0].basis"),
        ("fee = 0\n", "fee = 100\n" + WAIVER.replace(', basis = "自治條例"', ""), "fee_waivers[0].basis"),
        (
            "fee = 0\n",
            "fee = 100\n" + WAIVER.replace("}]", "}, " + WAIVER[15:-2] + "]"),
            "fee_waivers",
        ),  # the same code twice
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


# Every published limit, with its unit, as the sources give it (TAIWAN_PRACTICE.md §3): 日/天 are calendar days,
# 當場/隨到隨辦 on the spot. Every other service has §51's two months.
PUBLISHED_LIMITS = {
    "SW-01": (0, "on_the_spot"),  # the 鑑定表 is handed over; the certificate follows from 社會局
    "SW-03": (0, "on_the_spot"),
    "SW-05": (0, "on_the_spot"),
    "CA-06": (0, "on_the_spot"),
    "CA-07": (0, "on_the_spot"),
    "CA-08": (0, "on_the_spot"),
    "CA-12": (0, "on_the_spot"),
    "SW-17": (7, "days"),  # gov.tw 「3至7天」
    "SW-18": (10, "days"),  # 「10日內完成審核」
    "IN-35": (14, "days"),  # 「約1至2週」
    "PW-38": (7, "days"),  # 東河鄉 「7天」
}


def test_published_limits_have_their_units_and_the_rest_have_section_51() -> None:
    for service in load_catalog():
        limit = service.time_limit
        if service.code in PUBLISHED_LIMITS:
            assert (limit.value, limit.unit, limit.source) == (*PUBLISHED_LIMITS[service.code], "published")
            assert limit.basis.strip(), service.code
        else:
            assert (limit.value, limit.unit, limit.source) == (2, "months", "§51"), service.code
    assert sum(not s.time_limit.by_default for s in load_catalog()) == len(PUBLISHED_LIMITS)


def test_no_research_note_reaches_a_citizen() -> None:
    """fee_note, handed_over and due_note are printed: no source remarks (未見, 公告, TAIWAN_PRACTICE) in them."""
    for service in load_catalog():
        for said in (service.fee_note, service.handed_over, service.due_note):
            assert not any(w in said for w in ("未見", "TAIWAN_PRACTICE", "未公告", "ASSUMPTION")), service.code


def test_a_waiver_is_read_with_its_ground(tmp_path: Path) -> None:
    (tmp_path / "paid.toml").write_text(GOOD.replace("fee = 0\n", "fee = 100\n" + WAIVER, 1), encoding="utf-8")
    (service,) = load_catalog(tmp_path)
    assert service.fee == 100
    assert [(w.code, w.label, w.words()) for w in service.fee_waivers] == [
        ("low_income", "低收入戶", "低收入戶，自治條例")
    ]


def test_a_version_1_file_is_still_read(tmp_path: Path) -> None:
    """An older city may still publish version 1: its time_limit_days were working days, 0 on the spot."""
    old = GOOD.replace("schema_version = 2", "schema_version = 1")
    on_the_spot = old[old.index("time_limit = {") :].split("\n", 1)[0]
    (tmp_path / "a.toml").write_text(old.replace(on_the_spot, "time_limit_days = 5"), encoding="utf-8")
    (tmp_path / "b.toml").write_text(
        old.replace(on_the_spot, 'unknown = ["time_limit_days"]')
        .replace('code = "SW-05"', 'code = "SW-99"')
        .replace("number = 5", "number = 99"),
        encoding="utf-8",
    )
    a, b = load_catalog(tmp_path)
    assert (a.time_limit.value, a.time_limit.unit) == (5, "working_days")
    assert (b.time_limit.value, b.time_limit.unit, b.time_limit.source) == (2, "months", "§51")


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


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("身障停車", {"SW-03"}),
        ("老人卡", {"SW-05"}),
        ("低收", {"SW-18", "SW-19", "SW-20", "SW-23", "SW-28", "IN-31", "IN-32", "IN-33"}),
        ("健保轉出", {"SW-14"}),
        ("輪椅", {"SW-18"}),
        ("獨居老人", {"SW-27"}),
    ],
)
def test_search_finds_what_clerks_type(typed: str, found: set[str]) -> None:
    """Short names and synonyms clerks use at the counter, written here from the services they mean."""
    assert {s.code for s in load_catalog().search(typed)} == found
