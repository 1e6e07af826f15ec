"""Statutory amounts the rules compare with (最低生活費 by city and year; 臺灣地區平均每人每月消費支出 by year), read
from resources/thresholds.toml."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from forms.resources import resource_path


@dataclass(frozen=True)
class Thresholds:
    min_living_cost: dict[tuple[str, int], int]  # (city code, AD year) -> NT$ per person per month
    avg_consumption: dict[int, int] = field(default_factory=dict)  # AD year -> NT$ per person per month
    version: int = 0  # of the city's published amounts (forms.reference); 0 = unversioned

    def living_cost(self, city_code: str, year: int) -> int | None:
        return self.min_living_cost.get((city_code, year))

    def consumption(self, year: int) -> int | None:
        return self.avg_consumption.get(year)


def load_thresholds(path: Path | None = None) -> Thresholds:
    """The shipped amounts (validated as the city's are: forms.reference)."""
    from forms.reference import parse_thresholds

    return parse_thresholds((path or resource_path("thresholds.toml")).read_text(encoding="utf-8"))
