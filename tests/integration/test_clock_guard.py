"""A wrong clock at intake (issue 12, item 4), against a real city: a signed day refused because the clock is on
the wrong day says so (before any look-up), a case taken with a large known skew records it in the audit trail, and
the city flags a case whose time has not come yet instead of refusing it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import select

from cityserver.db import SecurityEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.catalog import load_catalog
from forms.errors import DomainError
from sync.ledger import Ledger
from sync.ledger.books import Approval
from sync.protocol.errors import StoreError
from sync.services.intake import IntakeService
from tests.conftest import NOW, OFFICE, USER
from tests.fakes.devices import TEST_DEVICE, Api, token_for
from tests.fakes.people import applicant_of
from tests.fakes.wire_cases import case_for

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx

SERVICE = load_catalog().get("SW-05")


def sign_today(ledger: Ledger) -> None:
    ledger.books.sign_day(NOW.date(), "{}", "0" * 64, {"cases": 0}, Approval("chief-test", "approval-1"))


def audit_count(ledger: Ledger) -> int:
    with closing(sqlite3.connect(ledger.path)) as conn:
        return int(conn.execute("SELECT count(*) FROM lookups").fetchone()[0])


@pytest.mark.parametrize(
    ("skew_s", "expected"),
    [
        (86_400, ("intake_day_closed_clock", "115年11月21日", 1440)),  # this clock a day slow: the city is on the 21st
        (-86_400, ("intake_day_closed_clock", "115年11月19日", 1440)),
        (120, ("intake_day_closed", None, None)),  # two minutes: the same day, the close is the cause
        (None, ("intake_day_closed", None, None)),  # never measured: nothing to say about the clock
    ],
)
def test_a_signed_day_names_the_clock_when_the_clock_is_the_cause_before_any_look_up(
    intake: IntakeService, ledger: Ledger, senior: Resident, skew_s: int | None, expected: tuple[object, ...]
) -> None:
    sign_today(ledger)
    if skew_s is not None:
        ledger.settings.record_clock_skew(skew_s)
    applicant = applicant_of(senior)
    before = audit_count(ledger)
    with pytest.raises((DomainError, StoreError)) as refused:
        intake.verify(uuid4(), SERVICE, applicant, {}, True)
    code = refused.value.code
    params = refused.value.params
    assert (code, params.get("city_day"), params.get("minutes")) == expected
    assert audit_count(ledger) == before  # nobody's register was queried for a case that cannot be saved


def test_a_case_taken_with_a_large_known_skew_records_it(
    intake: IntakeService, ledger: Ledger, senior: Resident
) -> None:
    ledger.settings.record_clock_skew(-2 * 3600)  # this clock two hours fast
    applicant = applicant_of(senior)
    saved = intake.accept(intake.verify(uuid4(), SERVICE, applicant, {}, True))
    with closing(sqlite3.connect(ledger.path)) as conn:
        rows = conn.execute("SELECT detail FROM lookups WHERE kind = 'clock-skew'").fetchall()
    assert rows == [(f"{saved.case_number}：本機時鐘與市府相差約 120 分鐘（快）",)]
    ledger.settings.record_clock_skew(60)  # a minute: nothing to record
    intake.accept(intake.verify(uuid4(), SERVICE, applicant, {}, True))
    with closing(sqlite3.connect(ledger.path)) as conn:
        assert conn.execute("SELECT count(*) FROM lookups WHERE kind = 'clock-skew'").fetchone()[0] == 1


def test_the_city_flags_a_case_from_the_future_and_keeps_it(city: EmbeddedServer, population: list[Resident]) -> None:
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, "s3cret-test-pw"))
    ahead = datetime.now(UTC) + timedelta(hours=3)
    late = case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[0].national_id, 1, received_at=ahead)
    near = case_for(
        TEST_DEVICE,
        OFFICE.code,
        "SW-05",
        population[1].national_id,
        2,
        received_at=datetime.now(UTC) + timedelta(minutes=2),
    )
    assert [a["status"] for a in clerk.push("cases", [late, near])] == ["accepted", "accepted"]
    with city.app.state.session_factory() as s:
        flagged = s.scalars(select(SecurityEventRow.detail).where(SecurityEventRow.kind == "case_time_ahead")).all()
    assert len(flagged) == 1 and flagged[0].startswith(f"{late.case_number} 18") and flagged[0].endswith("min ahead")
