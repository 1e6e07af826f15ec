"""The central registers behind one interface: a slow or failing register degrades a look-up to 待查驗 at the
counter instead of stalling it; the breaker stops asking a register that keeps failing and lets one probe through
after its pause. The decision tests use a fake register and clock; the path tests a real city over HTTP."""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cityserver.app import create_app
from cityserver.context import Settings
from cityserver.db import LookupAuditRow, make_engine
from cityserver.embedded import EmbeddedServer
from cityserver.population import LOOKUP_KINDS, Resident
from cityserver.registers import (
    Faults,
    Guarded,
    Policy,
    Record,
    RegisterUnavailable,
    SandboxRegister,
    sandbox_registers,
)
from forms.types import Outcome
from sync.city.client import CityClient
from sync.services.intake import IntakeService
from tests.conftest import PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, client_for, token_for


class Scripted:
    """A register that answers or fails as told, call by call."""

    kind = "household"

    def __init__(self, script: list[bool]) -> None:
        self.script = script
        self.calls = 0

    def find(self, national_ids: Iterable[str], budget_s: float) -> dict[str, Record]:
        self.calls += 1
        ok = self.script.pop(0) if self.script else True
        if not ok:
            raise RegisterUnavailable(self.kind, "error")
        return {nid: {"found": True} for nid in national_ids}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_failure_is_retried_within_the_budget() -> None:
    inner = Scripted([False, True])
    assert Guarded(inner, Policy(retries=1)).find(["A"]) == {"A": {"found": True}}
    assert inner.calls == 2


def test_the_breaker_opens_after_failures_in_a_row_then_lets_one_probe_through() -> None:
    clock = Clock()
    clock.now = 100.0  # a monotonic clock starts anywhere
    inner = Scripted([False] * 10)
    guarded = Guarded(inner, Policy(retries=0, failures_to_open=3, open_s=30.0), clock=clock)
    for _ in range(3):
        with pytest.raises(RegisterUnavailable):
            guarded.find(["A"])
    assert guarded.state == "open" and inner.calls == 3
    with pytest.raises(RegisterUnavailable, match="breaker_open"):
        guarded.find(["A"])
    assert inner.calls == 3  # not asked while open
    clock.now = 130.0
    assert guarded.state == "half-open"
    with pytest.raises(RegisterUnavailable):
        guarded.find(["A"])  # the probe fails: open again for another pause
    assert inner.calls == 4 and guarded.state == "open"
    clock.now = 160.0
    inner.script = [True]
    assert guarded.find(["A"]) == {"A": {"found": True}}
    assert guarded.state == "closed"


def test_successes_between_failures_keep_the_breaker_closed() -> None:
    inner = Scripted([False, False, True, False, False, True])
    guarded = Guarded(inner, Policy(retries=0, failures_to_open=3))
    for _ in range(6):
        try:
            guarded.find(["A"])
        except RegisterUnavailable:
            pass
    assert guarded.state == "closed"


class Rigged:
    """A random source that answers what it is told (the failure roll)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


class NoDatabase:
    def __call__(self) -> object:
        raise AssertionError("the register went to the database for nobody")


@pytest.fixture
def residents(city_template: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    db = tmp_path / "city.db"
    shutil.copy2(city_template, db)
    engine = make_engine(f"sqlite:///{db}")
    yield sessionmaker(engine)
    engine.dispose()


def test_the_sandbox_register_answers_each_persons_record_of_its_kind(
    residents: sessionmaker[Session], population: list[Resident]
) -> None:
    someone, other = population[0], population[1]
    found = SandboxRegister("tax", residents).find([someone.national_id, other.national_id, "Z999999999"], 2.0)
    assert found == {someone.national_id: someone.record("tax"), other.national_id: other.record("tax")}
    assert SandboxRegister("household", residents).find([someone.national_id], 2.0) == {
        someone.national_id: someone.record("household")
    }
    assert SandboxRegister("tax", NoDatabase()).find([], 2.0) == {}  # type: ignore[arg-type]


def test_the_sandbox_latency_is_slept_within_the_budget_and_past_it_is_a_timeout(
    residents: sessionmaker[Session], population: list[Resident]
) -> None:
    slept: list[float] = []
    person = population[0].national_id
    quick = SandboxRegister("tax", residents, Faults(latency_ms=500), sleep=slept.append)
    assert person in quick.find([person], 2.0)
    slow = SandboxRegister("tax", residents, Faults(latency_ms=3000), sleep=slept.append)
    with pytest.raises(RegisterUnavailable) as caught:
        slow.find([person], 1.0)
    assert (caught.value.kind, caught.value.why) == ("tax", "timeout")
    edge = SandboxRegister("tax", residents, Faults(latency_ms=1000), sleep=slept.append)
    assert person in edge.find([person], 1.0)  # exactly the budget: still in time
    assert slept == [0.5, 1.0, 1.0]


@pytest.mark.parametrize(("rate", "roll", "fails"), [(1.0, 0.99, True), (0.5, 0.49, True), (0.5, 0.5, False)])
def test_the_sandbox_failure_rate_fails_that_share_of_calls(
    residents: sessionmaker[Session], population: list[Resident], rate: float, roll: float, fails: bool
) -> None:
    register = SandboxRegister("welfare", residents, Faults(failure_rate=rate), rng=Rigged(roll))  # type: ignore[arg-type]
    person = population[0].national_id
    if fails:
        with pytest.raises(RegisterUnavailable) as caught:
            register.find([person], 2.0)
        assert (caught.value.kind, caught.value.why) == ("welfare", "error")
    else:
        assert person in register.find([person], 2.0)
    assert person in SandboxRegister("welfare", residents, Faults(failure_rate=0.0), rng=Rigged(0.0)).find(  # type: ignore[arg-type]
        [person], 2.0
    )


def test_a_refusal_names_its_register_and_why(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cityserver.registers")
    clock = Clock()
    guarded = Guarded(Scripted([False] * 3), Policy(retries=0, failures_to_open=2, open_s=10.0), clock=clock)
    for _ in range(2):
        with pytest.raises(RegisterUnavailable) as caught:
            guarded.find(["A"])
        assert (caught.value.kind, caught.value.why) == ("household", "error")
    assert "register household failed 2 times: breaker open" in caplog.messages
    with pytest.raises(RegisterUnavailable) as refused:
        guarded.find(["A"])
    assert (refused.value.kind, refused.value.why) == ("household", "breaker_open")
    clock.now = 10.0
    guarded.inner.script = [True]  # type: ignore[attr-defined]
    guarded.find(["A"])
    assert "register household answers again: breaker closed" in caplog.messages


def test_the_budget_is_the_callers_or_the_policys_and_an_exhausted_one_asks_nobody() -> None:
    class Budgets(Scripted):
        def __init__(self) -> None:
            super().__init__([])
            self.budgets: list[float] = []

        def find(self, national_ids: Iterable[str], budget_s: float) -> dict[str, Record]:
            self.budgets.append(budget_s)
            return super().find(national_ids, budget_s)

    clock = Clock()
    inner = Budgets()
    guarded = Guarded(inner, Policy(budget_s=2.0), clock=clock)
    guarded.find(["A"])
    guarded.find(["A"], budget_s=0.5)
    assert inner.budgets == [2.0, 0.5]
    with pytest.raises(RegisterUnavailable) as caught:
        guarded.find(["A"], budget_s=0.0)
    assert (caught.value.kind, caught.value.why, inner.calls) == ("household", "timeout", 2)


def test_one_probe_at_a_time_while_half_open() -> None:
    clock = Clock()
    inner = Scripted([False])
    guarded = Guarded(inner, Policy(retries=0, failures_to_open=1, open_s=5.0), clock=clock)
    with pytest.raises(RegisterUnavailable):
        guarded.find(["A"])
    clock.now = 5.0
    seen: list[str] = []

    class Probe:
        kind = "household"

        def find(self, national_ids: Iterable[str], budget_s: float) -> dict[str, Record]:
            try:  # another counter asks while the probe is out
                guarded.find(["B"])
                seen.append("let through")
            except RegisterUnavailable as exc:
                seen.append(exc.why)
            return {}

    guarded.inner = Probe()
    assert guarded.find(["A"]) == {}
    assert seen == ["breaker_open"] and guarded.state == "closed"


def test_every_kind_gets_its_own_guarded_sandbox_register(residents: sessionmaker[Session]) -> None:
    policy = Policy(budget_s=1.5)
    made = sandbox_registers(residents, Faults(latency_ms=7), policy)
    assert sorted(made) == sorted(LOOKUP_KINDS)
    for kind, guarded in made.items():
        inner = guarded.inner
        assert isinstance(inner, SandboxRegister)
        assert (guarded.kind, inner.kind, guarded.policy, inner.faults, inner.factory) == (
            kind, kind, policy, Faults(latency_ms=7), residents
        )  # fmt: skip


@pytest.fixture
def slow_city(city_template: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[EmbeddedServer]:
    db = tmp_path / "city.db"
    shutil.copy2(city_template, db)
    settings = Settings(**request.param)
    app = create_app(f"sqlite:///{db}", settings=settings)
    server = EmbeddedServer(app)
    server.start()
    yield server
    server.stop()
    app.state.engine.dispose()


@pytest.mark.integration
@pytest.mark.parametrize(
    "slow_city", [{"register_latency_ms": 5_000, "register_budget_s": 0.3}], indirect=True, ids=["slow"]
)
def test_a_slow_register_answers_503_within_the_budget_and_is_audited(
    slow_city: EmbeddedServer, population: list[Resident]
) -> None:
    clerk = Api(slow_city, token_for(slow_city, TEST_DEVICE, USER, PASSWORD))
    body = {"case_uuid": str(uuid.uuid4()), "purpose": "SW-05", "consent": True}
    started = time.monotonic()
    answer = clerk.post("/api/v1/lookups/household", {**body, "national_id": population[0].national_id})
    waited = time.monotonic() - started
    assert answer.status_code == 503 and answer.json()["code"] == "register_unavailable"
    assert waited < 5.0, waited  # the register's 5 s were not waited for
    with slow_city.app.state.session_factory() as s:
        results = s.scalars(select(LookupAuditRow.result)).all()
    assert results == ["unavailable"]


@pytest.mark.integration
@pytest.mark.parametrize(
    "slow_city", [{"register_failure_rate": 1.0, "register_failures_to_open": 2}], indirect=True, ids=["down"]
)
def test_a_failing_register_makes_the_intake_wait_for_verification_not_fail(
    slow_city: EmbeddedServer, ledger: object, senior: Resident, device: object, tmp_path: Path
) -> None:
    """Through the real intake: the case is taken, its decision 待查驗 (unknown), its look-ups queued."""
    from forms.calendar import load_calendar
    from forms.catalog import load_catalog
    from forms.rocdate import format_roc_slash
    from forms.thresholds import load_thresholds
    from sync.city.lookups import LookupService
    from sync.ledger import Ledger
    from tests.conftest import fixed_now

    assert isinstance(ledger, Ledger)
    client: CityClient = client_for(slow_city, TEST_DEVICE, USER, PASSWORD)
    intake = IntakeService(
        ledger,
        LookupService(ledger, client),
        client,
        device,  # type: ignore[arg-type]
        USER,
        load_catalog(),
        load_calendar(),
        load_thresholds(),
        fixed_now,
    )
    service = load_catalog().get("SW-05")
    phone = {"phone": "0912-345-678"}
    form = intake.validate(service, senior.national_id, senior.name, format_roc_slash(senior.birth_date), phone)
    assert form.applicant is not None, form.problems
    verification = intake.verify(intake.new_case_uuid(), service, form.applicant, form.fields, consent=True)
    assert verification.decision.outcome is Outcome.UNKNOWN
    intake.accept(verification)
    assert [c.service_code for c in ledger.cases.awaiting_verification()] == ["SW-05"]
    with slow_city.app.state.session_factory() as s:
        asked = sorted(tuple(r) for r in s.execute(select(LookupAuditRow.kind, LookupAuditRow.result)))
    assert asked == [("disability", "unavailable"), ("household", "unavailable")]  # SW-05's two registers
    client.close()


@pytest.mark.integration
@pytest.mark.parametrize("slow_city", [{"metrics_from": "10.0.0.0/8"}], indirect=True, ids=["elsewhere"])
def test_metrics_are_served_only_to_the_addresses_allowed(slow_city: EmbeddedServer) -> None:
    import requests

    assert requests.get(slow_city.url + "/internal/metrics", timeout=10).status_code == 403
