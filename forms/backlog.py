"""Offline backlog limits (MOSIP-style): warn when too much waits for the city, or for too long; optionally refuse
new intake until the device has synced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from forms.errors import DomainError


@dataclass(frozen=True)
class Backlog:
    """How much waits for the city, and since when."""

    pending: int
    oldest: datetime | None


SKEW_WARN_S = 300  # as Anki: five minutes apart is a clock to fix, not a network delay


@dataclass(frozen=True)
class BacklogPolicy:
    warn_pending: int = 200
    warn_days: float = 3
    block_days: float | None = None  # None: never refuse intake (set per city; blocking needs a sync to lift)


@dataclass(frozen=True)
class BacklogState:
    level: str  # ok / warn / block
    code: str | None  # message code for the window
    params: dict[str, Any]


def assess(backlog: Backlog, now: datetime, policy: BacklogPolicy) -> BacklogState:
    days = (now - backlog.oldest).total_seconds() / 86400 if backlog.oldest else 0.0
    params: dict[str, Any] = {"pending": backlog.pending, "days": f"{days:.1f}"}
    if policy.block_days is not None and days >= policy.block_days:
        return BacklogState("block", "backlog_blocked", {**params, "limit": policy.block_days})
    if backlog.pending >= policy.warn_pending or days >= policy.warn_days:
        return BacklogState("warn", "backlog_warning", params)
    return BacklogState("ok", None, params)


def check_intake_allowed(
    backlog: Backlog, now: datetime, policy: BacklogPolicy, override_until: datetime | None = None
) -> None:
    """Raises DomainError(backlog_blocked) when the policy refuses new intake until the device syncs (and no
    supervisor's override is in force)."""
    state = assess(backlog, now, policy)
    if state.level == "block" and (override_until is None or now >= override_until):
        raise DomainError("backlog_blocked", **state.params)


OVERRIDE_HOURS = 12  # a supervisor's override lasts the working day
