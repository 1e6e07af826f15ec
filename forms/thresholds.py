"""Statutory amounts the rules compare with (最低生活費 by city and year; 臺灣地區平均每人每月消費支出 by year), read
from resources/thresholds.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from forms.resources import resource_path


@dataclass(frozen=True)
class Thresholds:
    min_living_cost: dict[tuple[str, int], int]  # (city code, AD year) -> NT$ per person per month
    avg_consumption: dict[int, int] = field(default_factory=dict)  # AD year -> NT$ per person per month

    def living_cost(self, city_code: str, year: int) -> int | None:
        return self.min_living_cost.get((city_code, year))

    def consumption(self, year: int) -> int | None:
        return self.avg_consumption.get(year)


def load_thresholds(path: Path | None = None) -> Thresholds:
    data = tomllib.loads((path or resource_path("thresholds.toml")).read_text(encoding="utf-8"))
    table = {
        (city, int(year)): int(amount)
        for city, years in data.get("min_living_cost", {}).items()
        for year, amount in years.items()
    }
    consumption = {int(year): int(amount) for year, amount in data.get("avg_consumption", {}).items()}
    return Thresholds(table, consumption)
