"""The central registers behind the look-ups (household, tax, disability, welfare, military), each behind one
interface, so that a slow or failing central service degrades a look-up to 待查驗 instead of stalling a counter.

    Register        what a central service adapter does: one person, or many, within a time budget
    SandboxRegister the practice registers (the synthetic residents in the city's database), with configurable
                    latency and failure rate for tests and benchmarks
    Guarded         time budget, one retry where safe (a look-up changes nothing), and a circuit breaker

The breaker is per worker process on purpose: it protects that worker's threads, and each worker learns of an
outage within its own few calls; nothing about a person depends on it.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cityserver.db import ResidentRow
from cityserver.population import LOOKUP_KINDS

log = logging.getLogger(__name__)

Record = dict[str, Any]


class RegisterUnavailable(Exception):
    """The register did not answer in time, answered with an error, or its breaker is open."""

    def __init__(self, kind: str, why: str) -> None:
        super().__init__(f"{kind}: {why}")
        self.kind, self.why = kind, why


class Register(Protocol):
    kind: str

    def find(self, national_ids: Iterable[str], budget_s: float) -> dict[str, Record]:
        """Each found person's record (absent: not in the register). Raises RegisterUnavailable."""


@dataclass(frozen=True)
class Faults:
    """What the sandbox registers pretend: extra latency per call and a share of calls that fail."""

    latency_ms: float = 0.0
    failure_rate: float = 0.0


class SandboxRegister:
    def __init__(
        self,
        kind: str,
        factory: sessionmaker[Session],
        faults: Faults = Faults(),
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.kind, self.factory, self.faults = kind, factory, faults
        self._rng = rng or random.Random()
        self._sleep = sleep

    def find(self, national_ids: Iterable[str], budget_s: float) -> dict[str, Record]:
        wanted = set(national_ids)
        delay = self.faults.latency_ms / 1000
        if delay:
            self._sleep(min(delay, budget_s))
            if delay > budget_s:
                raise RegisterUnavailable(self.kind, "timeout")
        if self.faults.failure_rate and self._rng.random() < self.faults.failure_rate:
            raise RegisterUnavailable(self.kind, "error")
        if not wanted:
            return {}
        with self.factory() as s:
            rows = s.execute(
                select(ResidentRow.national_id, ResidentRow.records).where(ResidentRow.national_id.in_(wanted))
            ).all()
        return {nid: json.loads(records)[self.kind] for nid, records in rows}


@dataclass(frozen=True)
class Policy:
    budget_s: float = 2.0  # a counter waits at most this long for one register
    retries: int = 1  # a look-up changes nothing: one more try is safe, within the same budget
    failures_to_open: int = 5  # consecutive failures that open the breaker
    open_s: float = 30.0  # how long an open breaker refuses before letting one probe through


class Guarded:
    """A register with a time budget, a retry and a circuit breaker (closed → open → half-open → closed)."""

    def __init__(self, inner: Register, policy: Policy = Policy(), clock: Callable[[], float] = time.monotonic) -> None:
        self.kind = inner.kind
        self.inner, self.policy = inner, policy
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._clock() - self._opened_at >= self.policy.open_s else "open"

    def _admit(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self.policy.open_s or self._probing:
                return False
            self._probing = True  # one call tests the water; the others are still refused
            return True

    def _record(self, ok: bool) -> None:
        with self._lock:
            self._probing = False
            if ok:
                if self._opened_at is not None:
                    log.info("register %s answers again: breaker closed", self.kind)
                self._failures, self._opened_at = 0, None
                return
            self._failures += 1
            if self._opened_at is not None or self._failures >= self.policy.failures_to_open:
                if self._opened_at is None:
                    log.warning("register %s failed %d times: breaker open", self.kind, self._failures)
                self._opened_at = self._clock()

    def find(self, national_ids: Iterable[str], budget_s: float | None = None) -> dict[str, Record]:
        if not self._admit():
            raise RegisterUnavailable(self.kind, "breaker_open")
        wanted = list(national_ids)
        deadline = self._clock() + (budget_s if budget_s is not None else self.policy.budget_s)
        last: RegisterUnavailable | None = None
        for _ in range(1 + self.policy.retries):
            left = deadline - self._clock()
            if left <= 0:
                break
            try:
                found = self.inner.find(wanted, left)
            except RegisterUnavailable as exc:
                last = exc
                continue
            self._record(True)
            return found
        self._record(False)
        raise last or RegisterUnavailable(self.kind, "timeout")


def sandbox_registers(factory: sessionmaker[Session], faults: Faults, policy: Policy) -> dict[str, Guarded]:
    return {kind: Guarded(SandboxRegister(kind, factory, faults), policy) for kind in LOOKUP_KINDS}
