"""Batch re-verification (複查) against a real cityserver: the batch look-up endpoint, per-person audit on both
sides, the change list, cancel and resume, a server that goes away mid-run, and a bad list that changes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from cityserver.db import LookupAuditRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.catalog import load_catalog
from forms.errors import ValidationError
from forms.review import CERTIFICATE_EXPIRED, MOVED_OUT, NO_LONGER_ELIGIBLE, STILL_ELIGIBLE
from sync.city.client import CityClient
from sync.city.push import push_pending
from sync.ledger import Ledger
from sync.protocol.errors import SyncError
from sync.services.intake import IntakeService
from sync.services.review import ReviewService
from tests.conftest import OFFICE, SUPERVISOR, SUPERVISOR_PASSWORD, fixed_now
from tests.fakes.devices import TEST_DEVICE, client_for

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx
SERVICE = "SW-21"  # 身心障礙者醫療復健補助: household + disability registers


def expected_change(r: Resident, today: date) -> str:
    """What a social-affairs officer would conclude from the registers, written out independently of the code."""
    if r.city_code != OFFICE.city_code:
        return MOVED_OUT
    if r.disability is None:
        return NO_LONGER_ELIGIBLE
    expires = r.disability["expires_on"]
    if expires is not None and expires < today.isoformat():
        return CERTIFICATE_EXPIRED
    return STILL_ELIGIBLE


def mixed(population: list[Resident], each: int = 6) -> list[Resident]:
    today = fixed_now().date()
    picked: list[Resident] = []
    for change in (STILL_ELIGIBLE, MOVED_OUT, CERTIFICATE_EXPIRED, NO_LONGER_ELIGIBLE):
        picked += [r for r in population if expected_change(r, today) == change][:each]
    return picked


def csv_of(people: list[Resident]) -> str:
    return "身分證統一編號,姓名\n" + "".join(f"{r.national_id},{r.name}\n" for r in people)


@pytest.fixture
def chief(city: EmbeddedServer) -> Iterator[CityClient]:
    """Re-verification is a supervisor's: the same device, signed in by the supervisor."""
    c = client_for(city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD)
    yield c
    c.close()


@pytest.fixture
def reviews(ledger: Ledger, chief: CityClient, intake: IntakeService) -> ReviewService:
    return ReviewService(ledger, chief, load_catalog(), lambda: intake.context({}), SUPERVISOR, fixed_now)


def audit_count(city: EmbeddedServer) -> int:
    with city.app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).where(LookupAuditRow.purpose == f"{SERVICE}:review")) or 0)


def test_changes_are_found_and_every_person_is_audited(
    reviews: ReviewService, ledger: Ledger, city: EmbeddedServer, population: list[Resident]
) -> None:
    people = mixed(population)
    run = reviews.start_from_csv(SERVICE, "beneficiaries.csv", csv_of(people))
    assert (run.done, run.total) == (0, len(people))
    seen: list[int] = []
    finished = reviews.run(run.run_id, progress=lambda p: seen.append(p.done), batch=10)
    assert finished.finished and seen[0] == 0 and seen[-1] == len(people)
    lines = ledger.reviews.lines(run.run_id)
    today = fixed_now().date()
    assert [line.change for line in lines] == [expected_change(r, today) for r in people]
    assert [line.id_masked for line in lines] == [r.national_id[:6] + "****" for r in people]
    expired = next(line for line in lines if line.change == CERTIFICATE_EXPIRED)
    assert any("到期" in reason for reason in expired.reasons), expired.reasons
    # Audited per person and kind, on the server and in the device's hash chain.
    kinds = len(load_catalog().get(SERVICE).lookups)
    assert audit_count(city) == len(people) * kinds
    assert ledger.audit.verify_chain() is None
    with sqlite3.connect(ledger.path) as conn:
        rows = conn.execute("SELECT count(*) FROM lookups WHERE purpose = ?", (f"{SERVICE}:review",)).fetchone()[0]
        stored = b"".join(str(v).encode() for row in conn.execute("SELECT * FROM review_items").fetchall() for v in row)
    assert rows == len(people) * kinds
    assert not any(r.national_id.encode() in stored for r in people)  # sealed at rest


def test_cancel_and_resume_check_each_person_once(
    reviews: ReviewService, ledger: Ledger, city: EmbeddedServer, population: list[Resident]
) -> None:
    people = mixed(population)
    run = reviews.start_from_csv(SERVICE, "list.csv", csv_of(people))
    stop_after_first = iter([False, True])
    part = reviews.run(run.run_id, cancelled=lambda: next(stop_after_first, True), batch=7)
    assert part.done == 7 and not part.finished
    assert ledger.reviews.unfinished() == part
    city.stop()
    with pytest.raises(SyncError):
        reviews.run(run.run_id, batch=7)
    assert ledger.reviews.run(run.run_id).done == 7  # what was done is kept
    city.start()
    done = reviews.run(ledger.reviews.unfinished().run_id, batch=7)  # type: ignore[union-attr]
    assert done.finished and ledger.reviews.unfinished() is None
    assert audit_count(city) == len(people) * len(load_catalog().get(SERVICE).lookups)


def test_beneficiaries_from_this_devices_cases(
    reviews: ReviewService, ledger: Ledger, intake: IntakeService, client: CityClient, population: list[Resident]
) -> None:
    service = load_catalog().get("SW-05")
    eligible = []
    for r in population[:40]:
        form = intake.validate(service, r.national_id, r.name, f"{r.birth_date:%Y-%m-%d}", {"phone": "0912345678"})
        assert form.applicant is not None, form.problems
        v = intake.verify(intake.new_case_uuid(), service, form.applicant, form.fields, consent=True)
        intake.accept(v)
        if v.decision.outcome.value == "pass":
            eligible.append(r)
    assert eligible, "the first residents include eligible seniors"
    push_pending(ledger, client)  # the city answers only for people with a case of the office it holds
    run = reviews.start_from_cases("SW-05")
    assert run.total == len(eligible)
    assert reviews.run(run.run_id).finished
    assert {line.change for line in ledger.reviews.lines(run.run_id)} == {STILL_ELIGIBLE}


def test_a_bad_list_changes_nothing(reviews: ReviewService, ledger: Ledger, population: list[Resident]) -> None:
    good = population[0].national_id
    bad = good[:9] + str((int(good[9]) + 1) % 10)
    with pytest.raises(ValidationError) as refused:
        reviews.start_from_csv(SERVICE, "list.csv", f"身分證統一編號\n{good}\n{bad}\n{good}\n")
    assert refused.value.code == "review_csv_bad_rows" and refused.value.params["count"] == 2
    with pytest.raises(ValidationError):
        reviews.start_from_csv(SERVICE, "list.csv", "\n\n")
    with pytest.raises(Exception) as unsuited:
        reviews.start_from_csv("SW-17", "list.csv", f"{good}\n")
    assert getattr(unsuited.value, "code", "") in ("review_service_unsuited", "unknown_service")
    assert ledger.reviews.unfinished() is None
