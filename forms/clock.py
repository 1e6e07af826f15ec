"""Office time: Taiwan keeps UTC+8 all year (no daylight saving), so a fixed offset is exact."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")


def taipei_now() -> datetime:
    return datetime.now(TAIPEI)


def city_today(device_now: datetime, skew_s: int | None) -> date | None:
    """The city's date as far as this device knows: its clock corrected by the last measured skew (server time minus
    device time); None when the skew was never measured."""
    if skew_s is None:
        return None
    return (device_now + timedelta(seconds=skew_s)).astimezone(TAIPEI).date()
