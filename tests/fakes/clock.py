"""A clock a test sets by hand (`clock.at = …`), passed where the product takes `now`."""

from __future__ import annotations

from datetime import datetime


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at
