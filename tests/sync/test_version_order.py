"""Version comparison, by a hand-written table (the city refuses an app older than its minimum)."""

from __future__ import annotations

import pytest

from sync.protocol.version import VERSION, older_than, parse, update_notice


@pytest.mark.parametrize(
    ("have", "minimum", "older"),
    [
        ("0.1.0", "", False),  # no minimum: never too old
        ("", "", False),
        ("0.1.0", "0.1.0", False),
        ("0.1.1", "0.1.0", False),
        ("0.2.0", "0.1.9", False),
        ("0.10.0", "0.9.0", False),  # numbers, not text: 10 > 9
        ("0.9.0", "0.10.0", True),
        ("1.0.0", "0.99.99", False),
        ("0.1.0", "0.1.1", True),
        ("0.1.0", "1.0.0", True),
        ("", "0.1.0", True),  # says nothing: too old
        ("v0.2.0", "0.1.0", True),  # not our form
        ("0.2", "0.1.0", True),
        ("0.2.0-beta", "0.1.0", True),
        ("0.1.0", "nonsense", False),  # an unreadable minimum is no minimum (the server refuses to start on it)
    ],
)
def test_older_than(have: str, minimum: str, older: bool) -> None:
    assert older_than(have, minimum) is older


def test_the_shipped_version_is_readable() -> None:
    assert parse(VERSION) is not None
    assert parse(" 1.2.3 ") == (1, 2, 3) and parse("1.2.3.4") is None


@pytest.mark.parametrize(
    ("minimum", "latest", "current", "said"),
    [
        ("", "", "0.1.0", None),
        ("", "0.1.0", "0.1.0", None),
        ("", "0.2.0", "0.1.0", "update_available"),
        ("0.2.0", "0.2.0", "0.1.0", "client_outdated"),  # refused outranks offered
        ("0.1.0", "0.3.0", "0.3.0", None),
        ("", "garbage", "0.1.0", None),
    ],
)
def test_what_the_window_says_after_health(minimum: str, latest: str, current: str, said: str | None) -> None:
    notice = update_notice(minimum, latest, current)
    assert (notice[0] if notice else None) == said
