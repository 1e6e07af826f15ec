"""Office time: Taiwan keeps UTC+8 all year (no daylight saving), so a fixed offset is exact."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")


def taipei_now() -> datetime:
    return datetime.now(TAIPEI)
