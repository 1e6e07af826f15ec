"""A deterministic synthetic population behind the central look-up services (no real person in it).

The same seed always gives the same residents, so tests and the sandbox pick people by their facts (age, city,
disability, welfare status...) rather than by hard-coded ID numbers. `record(kind)` is exactly what the server
answers for each look-up kind.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from forms.ids import check_digit

DEFAULT_SEED = 20261121
DEFAULT_SIZE = 3000
LOOKUP_KINDS = ("household", "tax", "disability", "welfare", "military")


@dataclass(frozen=True)
class Place:
    city_code: str
    city_name: str
    id_letter: str  # the letter of first household registration for people born here
    districts: tuple[tuple[str, str], ...]  # (district code, name)


# Taoyuan (the seed's city) holds most residents; three other cities give "registered elsewhere" cases.
PLACES: tuple[Place, ...] = (
    Place(
        "68000000",
        "桃園市",
        "H",
        (
            ("68000010", "桃園區"),
            ("68000020", "中壢區"),
            ("68000030", "大溪區"),
            ("68000040", "楊梅區"),
            ("68000050", "蘆竹區"),
            ("68000060", "大園區"),
            ("68000070", "龜山區"),
            ("68000080", "八德區"),
            ("68000090", "龍潭區"),
            ("68000100", "平鎮區"),
            ("68000110", "新屋區"),
            ("68000120", "觀音區"),
            ("68000130", "復興區"),
        ),
    ),
    Place("67000000", "臺南市", "D", (("67000340", "北區"), ("67000370", "中西區"), ("67000310", "永康區"))),
    Place("63000000", "臺北市", "A", (("63000010", "松山區"), ("63000050", "大安區"))),
    Place("65000000", "新北市", "F", (("65000010", "板橋區"), ("65000020", "三重區"))),
)
_PLACE_WEIGHTS = (80, 8, 6, 6)

SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋"
GIVEN = "家宜志明俊傑雅婷怡君美玲淑芬建宏冠宇承恩子涵品妤柏翰詠晴秀英金枝春嬌文雄國華德勝惠珍麗華玉蘭阿土"
# Indigenous names keep the middle dot and romanised forms (戶籍 records both); Extension B characters appear too.
INDIGENOUS_NAMES = ("瓦歷斯‧諾幹", "巴奈‧庫穗", "伊斯坦大‧貝雅夫", "馬躍‧比吼", "尤瑪‧達陸", "拉娃‧谷幸")
RARE_NAMES = ("𡘙小明", "林𥕢", "陳堃𨑨")
VILLAGE_WORDS = "中正民生仁愛信義和平忠孝光明福德永安興隆長春大同新興復興"
DISABILITY_CATEGORIES = ("肢體障礙", "視覺障礙", "聽覺障礙", "智能障礙", "失智症", "自閉症", "精神障礙", "多重障礙")
DISABILITY_LEVELS = ("輕度", "中度", "重度", "極重度")
MILITARY_STATUSES = ("未服役", "服役中", "已退伍", "免役", "禁役", "替代役退役", "替代役禁役", "替代役備役免予回役")
_MILITARY_WEIGHTS = (30, 10, 30, 10, 5, 5, 5, 5)
REFERENCE_DAY = date(2026, 1, 1)  # the population is generated as of this day, so it never depends on the clock


@dataclass(frozen=True)
class Resident:
    national_id: str
    name: str
    birth_date: date
    sex: str  # M / F
    city_code: str
    city_name: str
    district_code: str
    district_name: str
    village: str
    registered_on: date
    household_size: int
    indigenous: bool
    members: tuple[date, ...]  # birth dates of the other household members
    tax: dict[str, Any] = field(default_factory=dict)
    disability: dict[str, Any] | None = None
    welfare: str = "一般"
    military: str | None = None

    def record(self, kind: str) -> dict[str, Any]:
        """What the central look-up service of `kind` answers for this person (JSON-compatible)."""
        if kind == "household":
            return {
                "kind": "household",
                "found": True,
                "name": self.name,
                "birth_date": self.birth_date.isoformat(),
                "sex": self.sex,
                "city_code": self.city_code,
                "city_name": self.city_name,
                "district_code": self.district_code,
                "district_name": self.district_name,
                "village": self.village,
                "registered_on": self.registered_on.isoformat(),
                "household_size": self.household_size,
                "indigenous": self.indigenous,
                "members": [{"birth_date": b.isoformat()} for b in self.members],
            }
        if kind == "tax":
            return {"kind": "tax", **self.tax}
        if kind == "disability":
            return (
                {"kind": "disability", "found": False}
                if self.disability is None
                else {"kind": "disability", "found": True, **self.disability}
            )
        if kind == "welfare":
            return {"kind": "welfare", "status": self.welfare}
        if kind == "military":
            return {"kind": "military", "found": self.military is not None, "status": self.military}
        raise KeyError(kind)


def not_found(kind: str) -> dict[str, Any]:
    """The answer for an ID that is in no register."""
    if kind == "welfare":
        return {"kind": "welfare", "status": "一般"}
    if kind == "military":
        return {"kind": "military", "found": False, "status": None}
    return {"kind": kind, "found": False}


def _unique_id(rng: random.Random, letter: str, sex_digit: str, used: set[str]) -> str:
    while True:
        prefix = letter + sex_digit + "".join(rng.choice("0123456789") for _ in range(7))
        value = prefix + check_digit(prefix)
        if value not in used:
            used.add(value)
            return value


def _disability(rng: random.Random) -> dict[str, Any]:
    category = rng.choice(DISABILITY_CATEGORIES)
    needs = [n for n, p in (("行動不便", 0.45), ("必要陪伴者", 0.3)) if rng.random() < p]
    expires = REFERENCE_DAY + timedelta(days=rng.randrange(-400, 5 * 365))
    return {
        "level": rng.choice(DISABILITY_LEVELS),
        "category": category,
        "needs": needs,
        "expires_on": None if rng.random() < 0.15 else expires.isoformat(),
    }


def _tax(rng: random.Random, welfare: str) -> dict[str, Any]:
    if rng.random() < 0.03:
        return {"found": False}
    base = {"低收入戶": (3_000, 17_000), "中低收入戶": (15_000, 25_000)}.get(welfare, (8_000, 90_000))
    return {
        "found": True,
        "year": 2024,
        "income_per_person_monthly": rng.randrange(*base),
        "movable_assets": rng.randrange(0, 3_000_000),
        "real_estate": rng.randrange(0, 15_000_000),
        "owns_house": rng.random() < 0.55,
        "owns_farmhouse": rng.random() < 0.06,
    }


def generate(seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> Iterator[Resident]:
    """Yield `size` residents. Birth dates spread from 1925 to 2025 so every age band has people."""
    rng = random.Random(seed)
    used: set[str] = set()
    for _ in range(size):
        place = rng.choices(PLACES, weights=_PLACE_WEIGHTS)[0]
        district_code, district_name = rng.choice(place.districts)
        birth = date(1925, 1, 1) + timedelta(days=rng.randrange(0, 365 * 100))
        sex = rng.choice("MF")
        indigenous = rng.random() < (0.4 if district_code == "68000130" else 0.07)
        roll = rng.random()
        if indigenous and roll < 0.5:
            name = rng.choice(INDIGENOUS_NAMES)
        elif roll < 0.01:
            name = rng.choice(RARE_NAMES)
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        size_ = rng.choice((1, 1, 2, 3, 4, 5))
        members = tuple(
            REFERENCE_DAY - timedelta(days=rng.randrange(0, 700) if rng.random() < 0.3 else rng.randrange(800, 30000))
            for _ in range(size_ - 1)
        )
        welfare = rng.choices(("低收入戶", "中低收入戶", "一般"), weights=(6, 8, 86))[0]
        military = None
        if sex == "M" and REFERENCE_DAY.year - birth.year >= 18:
            military = rng.choices(MILITARY_STATUSES, weights=_MILITARY_WEIGHTS)[0]
        village = rng.choice(VILLAGE_WORDS[0::2]) + rng.choice(VILLAGE_WORDS[1::2]) + "里"
        registered = birth + timedelta(days=rng.randrange(0, max(1, (REFERENCE_DAY - birth).days)))
        yield Resident(
            national_id=_unique_id(rng, place.id_letter, "1" if sex == "M" else "2", used),
            name=name,
            birth_date=birth,
            sex=sex,
            city_code=place.city_code,
            city_name=place.city_name,
            district_code=district_code,
            district_name=district_name,
            village=village,
            registered_on=registered,
            household_size=size_,
            indigenous=indigenous,
            members=members,
            tax=_tax(rng, welfare),
            disability=_disability(rng) if rng.random() < 0.18 else None,
            welfare=welfare,
            military=military,
        )


def office_of(code: str) -> tuple[str, str, str]:
    """(office name, city code, city name) of a district office code, as the city's own register names it."""
    for place in PLACES:
        for district_code, district_name in place.districts:
            if district_code == code:
                return f"{place.city_name}{district_name}公所", place.city_code, place.city_name
    return code, code[:3] + "00000", ""
