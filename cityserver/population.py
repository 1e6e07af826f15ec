"""A deterministic synthetic population behind the central look-up services (no real person in it).

The same seed always gives the same residents, so tests and the sandbox can pick people by their facts
(age, city) rather than by hard-coded ID numbers.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from forms.ids import check_digit

DEFAULT_SEED = 20261121
DEFAULT_SIZE = 3000


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
VILLAGE_WORDS = "中正民生仁愛信義和平忠孝光明福德永安興隆長春大同新興復興"


@dataclass(frozen=True)
class Resident:
    national_id: str
    name: str
    birth_date: date
    city_code: str
    city_name: str
    district_code: str
    district_name: str
    village: str
    registered_on: date
    household_size: int


def _unique_id(rng: random.Random, letter: str, sex_digit: str, used: set[str]) -> str:
    while True:
        prefix = letter + sex_digit + "".join(rng.choice("0123456789") for _ in range(7))
        value = prefix + check_digit(prefix)
        if value not in used:
            used.add(value)
            return value


def generate(seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> Iterator[Resident]:
    """Yield `size` residents. Birth dates spread from 1925 to 2024 so every age band has people."""
    rng = random.Random(seed)
    used: set[str] = set()
    for _ in range(size):
        place = rng.choices(PLACES, weights=_PLACE_WEIGHTS)[0]
        district_code, district_name = rng.choice(place.districts)
        birth = date(1925, 1, 1) + timedelta(days=rng.randrange(0, 365 * 100))
        sex_digit = rng.choice("12")
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        village = rng.choice(VILLAGE_WORDS[0::2]) + rng.choice(VILLAGE_WORDS[1::2]) + "里"
        registered = birth + timedelta(days=rng.randrange(0, max(1, (date(2026, 1, 1) - birth).days)))
        yield Resident(
            national_id=_unique_id(rng, place.id_letter, sex_digit, used),
            name=rng.choice(SURNAMES) + given,
            birth_date=birth,
            city_code=place.city_code,
            city_name=place.city_name,
            district_code=district_code,
            district_name=district_name,
            village=village,
            registered_on=registered,
            household_size=rng.randint(1, 6),
        )
