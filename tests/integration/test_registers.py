"""The central registers behind one interface: a slow or failing register degrades a look-up to 待查驗 at the
counter instead of stalling it; the breaker stops asking a register that keeps failing and lets one probe through
after its pause. The decision tests use a fake register and clock; the path tests a real city over HTTP."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cityserver.app import create_app
from cityserver.context import Settings
from cityserver.db import LookupAuditRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from cityserver.registers import Guarded, Policy, Record, RegisterUnavailable
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
    inner = Scripted([False] * 10)
    guarded = Guarded(inner, Policy(retries=0, failures_to_open=3, open_s=30.0), clock=clock)
    for _ in range(3):
        with pytest.raises(RegisterUnavailable):
            guarded.find(["A"])
    assert guarded.state == "open" and inner.calls == 3
    with pytest.raises(RegisterUnavailable, match="breaker_open"):
        guarded.find(["A"])
    assert inner.calls == 3  # not asked while open
    clock.now = 30.0
    assert guarded.state == "half-open"
    with pytest.raises(RegisterUnavailable):
        guarded.find(["A"])  # the probe fails: open again for another pause
    assert inner.calls == 4 and guarded.state == "open"
    clock.now = 60.0
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
