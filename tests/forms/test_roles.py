"""Role permissions: one table, asked by the window."""

from __future__ import annotations

from forms.roles import may


def test_permissions() -> None:
    assert may("supervisor", "day_close") and not may("clerk", "day_close") and not may("liaison", "day_close")
    assert may("liaison", "intake") and not may("visitor", "intake") and not may("supervisor", "unknown")


def test_the_deciding_office_is_its_clerks_and_supervisors_not_village_liaisons() -> None:
    # As the city's table says (cityserver.permissions: record_step, case_queue).
    assert may("clerk", "decide") and may("supervisor", "decide") and not may("liaison", "decide")
