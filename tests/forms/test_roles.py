"""Role permissions: one table, asked by the window."""

from __future__ import annotations

from forms.roles import may


def test_permissions() -> None:
    assert may("supervisor", "day_close") and not may("clerk", "day_close") and not may("liaison", "day_close")
    assert may("liaison", "intake") and not may("visitor", "intake") and not may("supervisor", "unknown")
