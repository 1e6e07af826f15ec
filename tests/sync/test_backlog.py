"""Backlog limits and clock skew: warnings, and a refusal when the city's policy says so."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from forms.backlog import Backlog, BacklogPolicy, assess, check_intake_allowed
from forms.clock import TAIPEI
from forms.errors import DomainError
from forms.messages import text

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TAIPEI)


def test_levels() -> None:
    policy = BacklogPolicy(warn_pending=3, warn_days=2, block_days=7)
    assert assess(Backlog(0, None), NOW, policy).level == "ok"
    assert assess(Backlog(2, NOW - timedelta(days=1)), NOW, policy).level == "ok"
    many = assess(Backlog(3, NOW - timedelta(hours=1)), NOW, policy)
    assert many.level == "warn" and "3 件" in text(many.code or "", **many.params)
    assert assess(Backlog(1, NOW - timedelta(days=2)), NOW, policy).level == "warn"
    blocked = assess(Backlog(1, NOW - timedelta(days=8)), NOW, policy)
    assert blocked.level == "block" and "7" in text(blocked.code or "", **blocked.params)


def test_refusal_only_when_the_policy_blocks() -> None:
    old = Backlog(5, NOW - timedelta(days=30))
    check_intake_allowed(old, NOW, BacklogPolicy())  # the default never refuses a village officer in the field
    with pytest.raises(DomainError) as err:
        check_intake_allowed(old, NOW, BacklogPolicy(block_days=7))
    assert err.value.code == "backlog_blocked"
