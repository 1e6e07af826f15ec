"""Voids and the day close (日結) against a real cityserver on 127.0.0.1 and a real ledger file: every discrepancy
the supervisor must see is reported, sign-off is refused until explained, and a signed day is locked."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import requests
from sqlalchemy import delete

from cityserver.db import CaseRow, DayRecordRow, StatusEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.calendar import load_calendar
from forms.clock import TAIPEI
from forms.dayclose import cash_lines
from forms.errors import DomainError
from forms.messages import text
from forms.rocdate import format_roc_slash
from forms.thresholds import load_thresholds
from sync.city.client import CityClient
from sync.city.lookups import LookupService
from sync.city.push import push_pending
from sync.ledger import Device, Ledger, SavedCase
from sync.protocol.errors import StoreError
from sync.services.closing import Books
from sync.services.intake import IntakeService
from tests.conftest import OFFICE, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.fakes.catalogs import FEE, paid_catalog
from tests.fakes.clock import Clock
from tests.fakes.devices import TEST_DEVICE_ID

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx
CATALOG = paid_catalog()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 20, 9, 5, tzinfo=TAIPEI))


@pytest.fixture
def desk(tmp_path: Path, client: CityClient, clock: Clock) -> Iterator[tuple[Ledger, IntakeService, Books]]:
    device = Device(office=OFFICE, device_id=TEST_DEVICE_ID)
    ledger = Ledger(tmp_path / "ledger.db", device, b"\x02" * 32, clock)
    intake = IntakeService(
        ledger,
        LookupService(ledger, client),
        client,
        device,
        USER,
        CATALOG,
        load_calendar(),
        load_thresholds(),
        clock,
    )
    books = Books(ledger, client, load_calendar(), intake.approver, clock)
    yield ledger, intake, books
    ledger.close()


def take(intake: IntakeService, person: Resident) -> SavedCase:
    service = CATALOG.get("SW-05")
    raw = {f.id: "0912-345-678" for f in service.fields}
    form = intake.validate(service, person.national_id, person.name, format_roc_slash(person.birth_date), raw)
    assert form.applicant is not None, form.problems
    verification = intake.verify(intake.new_case_uuid(), service, form.applicant, form.fields, consent=True)
    return intake.accept(verification, payment_method="cash")


def test_clean_day_signs_and_locks(
    desk: tuple[Ledger, IntakeService, Books], city: EmbeddedServer, clock: Clock, senior: Resident, young: Resident
) -> None:
    ledger, intake, books = desk
    first = take(intake, senior)
    clock.at += timedelta(hours=2)
    take(intake, young)
    push_pending(ledger, books._client)
    report = books.prepare(clock.at.date())
    assert report.cases == 2 and report.per_hour == {9: 1, 11: 1}
    assert report.comparison.compared and report.comparison.held == 2
    assert [p.code for p in report.problems() if p.needs_note] == []
    with pytest.raises(DomainError) as uncounted:
        books.sign(report, cash_lines(report, {}), "", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert uncounted.value.code == "dc_cash_missing"
    record = books.sign(report, cash_lines(report, {USER: (2 * FEE, "")}), "", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert record.closed_by == SUPERVISOR and len(record.report_hash) == 64
    # Locked: no new case that day, no void, and a second sign-off is refused.
    with pytest.raises(StoreError) as closed:
        take(intake, senior)
    assert closed.value.code == "intake_day_closed"
    with pytest.raises(StoreError) as void:
        books.void(first.case_uuid, "申請人撤回申請", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert void.value.code == "day_closed"
    with pytest.raises(DomainError) as again:
        books.sign(books.prepare(clock.at.date()), (), "", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert again.value.code == "day_already_closed"
    # The database itself refuses a change to the signed day, whoever writes.
    with sqlite3.connect(ledger.path) as conn, pytest.raises(sqlite3.IntegrityError, match="day_closed"):
        conn.execute("UPDATE cases SET fee = fee + 100 WHERE case_uuid = ?", (str(first.case_uuid),))
    # The sign-off reaches the city with its figures and report hash.
    push_pending(ledger, books._client)
    with city.app.state.session_factory() as s:
        kinds = [r.kind for r in s.query(DayRecordRow).all()]
    assert kinds == ["day_close"]


def test_every_discrepancy_is_reported(
    desk: tuple[Ledger, IntakeService, Books],
    city: EmbeddedServer,
    client: CityClient,
    clock: Clock,
    tmp_path: Path,
    population: list[Resident],
    senior: Resident,
) -> None:
    ledger, intake, books = desk
    people = [p for p in population if p.city_code == OFFICE.city_code][:5]
    cases = [take(intake, p) for p in people]
    assert all(c.fee == FEE for c in cases)
    push_pending(ledger, client)
    # 1. a void (supervisor credentials checked by the city)
    books.void(cases[0].case_uuid, "民眾當場改申請其他項目", SUPERVISOR, SUPERVISOR_PASSWORD)
    # 2. a case the server lacks: removed there after delivery
    with city.app.state.session_factory.begin() as s:
        s.execute(delete(StatusEventRow).where(StatusEventRow.case_uuid == str(cases[1].case_uuid)))
        s.execute(delete(CaseRow).where(CaseRow.case_uuid == str(cases[1].case_uuid)))
    # 3. a case only the server has: the same device writing from another ledger (a copied profile) whose numbers
    # are further on (numbers the city already holds would be refused)
    other = Ledger(tmp_path / "other.db", Device(office=OFFICE, device_id=TEST_DEVICE_ID), b"\x03" * 32, clock)
    with sqlite3.connect(other.path) as conn:
        day = clock.at.date().isoformat()
        conn.executemany("INSERT INTO counters (name, value) VALUES (?, 100)", [("receipt",), (f"case:{day}",)])
    other_intake = IntakeService(
        other,
        LookupService(other, client),
        client,
        other.device,
        USER,
        CATALOG,
        load_calendar(),
        load_thresholds(),
        clock,
    )
    stray = take(other_intake, senior)
    push_pending(other, client)
    other.close()
    # 4. a receipt gap: a receipt row removed behind the app's back
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("DELETE FROM receipts WHERE case_uuid = ?", (str(cases[2].case_uuid),))
        # 5. a tampered audit row
        conn.execute("UPDATE lookups SET clerk = 'intruder' WHERE seq = 2")

    report = books.prepare(clock.at.date())
    codes = {p.code for p in report.problems()}
    assert {"dc_void", "dc_only_device", "dc_only_server", "dc_receipt_gap", "dc_audit_break"} <= codes
    assert report.comparison.only_device == (cases[1].case_number,)
    assert report.comparison.only_server == (str(stray.case_uuid),)
    assert report.gaps == (cases[2].receipt_number,)
    assert report.audit_break == 2
    assert [v.receipt_number for v in report.voids] == [cases[0].receipt_number]
    assert report.cases == 4 and report.voided == 1
    fee = cases[0].fee
    assert report.fees == {"cash": 4 * fee}
    # 6. a cash difference: refused without an explanation, and without a note for the discrepancies
    short = cash_lines(report, {USER: (4 * fee - 100, "")})
    assert short[0].difference == -100
    with pytest.raises(DomainError) as refused:
        books.sign(report, short, "已通報資訊窗口並重新上傳", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert refused.value.code == "dc_cash_explain"
    explained = cash_lines(report, {USER: (4 * fee - 100, "找零錯誤，已由承辦人補足")})
    with pytest.raises(DomainError) as no_note:
        books.sign(report, explained, "", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert no_note.value.code == "dc_note_required"
    with pytest.raises(DomainError) as bad_password:
        books.sign(report, explained, "已通報資訊窗口並重新上傳", SUPERVISOR, "wrong")
    assert bad_password.value.code == "supervisor_not_verified"
    books.sign(report, explained, "已通報資訊窗口並重新上傳", SUPERVISOR, SUPERVISOR_PASSWORD)
    # The void reached the city: the case is 撤回 there; the signed day (a voided case, a case only the city holds,
    # all acknowledged) is accepted with its figures.
    report = push_pending(ledger, client)
    assert report.rejected == 0 and report.conflict == 0, report.statuses
    with city.app.state.session_factory() as s:
        assert s.get(CaseRow, str(cases[0].case_uuid)).status == "撤回"  # type: ignore[union-attr]
        assert sorted(r.kind for r in s.query(DayRecordRow).all()) == ["day_close", "void"]


def test_signed_day_is_corrected_by_linked_entries(
    desk: tuple[Ledger, IntakeService, Books], city: EmbeddedServer, clock: Clock, senior: Resident, young: Resident
) -> None:
    ledger, intake, books = desk
    kept = take(intake, senior)
    wrong = take(intake, young)
    push_pending(ledger, books._client)
    day = clock.at.date()
    report = books.prepare(day)
    cash = cash_lines(report, {USER: (report.cash_expected, "")})
    close = books.sign(report, cash, "", SUPERVISOR, SUPERVISOR_PASSWORD)
    clock.at += timedelta(days=1)
    with pytest.raises(StoreError):
        books.void(wrong.case_uuid, "規費收錯項目", SUPERVISOR, SUPERVISOR_PASSWORD)
    correction = books.correct_void(day, wrong.case_uuid, "規費收錯項目，退費", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert correction.amount == -wrong.fee
    # The signed day is unchanged; the correction shows on the day it was made, pointing at the signed day.
    assert books.prepare(day).close == close
    assert books.prepare(day).cases == 2
    today = books.prepare(clock.at.date())
    assert [(c.corrects_day, c.case_number, c.kind) for c in today.corrections] == [(day, wrong.case_number, "void")]
    with pytest.raises(StoreError) as twice:
        books.correct_void(day, wrong.case_uuid, "重複申請退費一次", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert twice.value.code == "void_twice"
    assert ledger.cases.case(kept.case_uuid).fee == kept.fee
    push_pending(ledger, books._client)
    with city.app.state.session_factory() as s:
        records = {r.kind: r for r in s.query(DayRecordRow).all()}
        assert set(records) == {"day_close", "correction"}
        assert UUID(records["correction"].case_uuid or "") == wrong.case_uuid
        assert s.get(CaseRow, str(wrong.case_uuid)).status == "撤回"  # type: ignore[union-attr]


def test_offline_day_close_says_it_was_not_compared(
    desk: tuple[Ledger, IntakeService, Books], city: EmbeddedServer, clock: Clock, senior: Resident
) -> None:
    ledger, intake, books = desk
    take(intake, senior)
    city.stop()
    report = books.prepare(clock.at.date())
    assert not report.comparison.compared
    assert {"dc_not_compared", "dc_pending_sync"} <= {p.code for p in report.problems()}
    # Offline, the supervisor signs with their key on this device (here: they never approved here online, so
    # there is none and the sign-off is refused).
    with pytest.raises(DomainError) as refused:
        books.sign(report, (), "網路中斷，明日補傳", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert refused.value.code == "supervisor_not_verified"


def test_a_clerk_cannot_approve_a_void(
    desk: tuple[Ledger, IntakeService, Books], city: EmbeddedServer, senior: Resident
) -> None:
    ledger, intake, books = desk
    case = take(intake, senior)
    with pytest.raises(DomainError) as refused:
        books.void(case.case_uuid, "申請人撤回申請", USER, "s3cret-test-pw")
    assert refused.value.code == "supervisor_not_verified"
    assert ledger.books.void_of(case.case_uuid) is None
    assert requests.get(f"{city.url}/api/v1/health", timeout=5).ok


@pytest.mark.parametrize(
    ("skew", "refused_with"),
    [
        # The device says 20 Nov 09:05. Server minus device, as the last push measured it:
        (-2 * 86_400, ("115年11月18日", 2880)),  # this clock runs two days fast: the 20th has not begun at the city
        (-(9 * 3600 + 5 * 60 + 1), ("115年11月19日", 545)),  # 23:59:59 on the 19th at the city
        (-(9 * 3600 + 5 * 60), None),  # exactly midnight of the 20th at the city: the day has begun
        (-300, None),  # five minutes fast: the same day
        (10 * 86_400, None),  # ten days slow: signing a day already past is allowed
        (None, None),  # never measured: nothing to go by
    ],
)
def test_a_day_not_yet_begun_at_the_city_cannot_be_signed(
    desk: tuple[Ledger, IntakeService, Books], clock: Clock, senior: Resident, skew: int | None, refused_with: Any
) -> None:
    ledger, intake, books = desk
    take(intake, senior)
    if skew is not None:
        ledger.settings.record_clock_skew(skew)
    report = books.prepare(clock.at.date(), ask_server=False)
    with pytest.raises(DomainError) as refused:
        books.sign(report, cash_lines(report, {USER: (FEE, "")}), "網路中斷，明日補傳", SUPERVISOR, "wrong-password")
    if refused_with is None:
        assert refused.value.code != "dc_day_not_begun"  # it went on to the supervisor's credentials
        return
    city_day, minutes = refused_with
    assert refused.value.code == "dc_day_not_begun"
    assert text(refused.value.code, **refused.value.params) == (
        f"市府伺服器的日期是 {city_day}，115年11月20日 尚未開始，不能日結："
        f"本機時鐘快了約 {minutes} 分鐘，請校正電腦時間。"
    )
    assert ledger.books.day_facts(clock.at.date()).close is None


def test_a_day_whose_ledger_file_is_damaged_is_not_signed(
    desk: tuple[Ledger, IntakeService, Books], clock: Clock, senior: Resident
) -> None:
    """The full check at sign-off: a fee changed where nothing else looks (the row no longer says what was
    sealed) refuses the sign-off as a damaged ledger, and the ledger takes no more writes."""
    ledger, intake, books = desk
    case = take(intake, senior)
    push_pending(ledger, books._client)
    report = books.prepare(clock.at.date())
    with closing(sqlite3.connect(ledger.path)) as conn, conn:
        conn.execute("UPDATE cases SET fee = fee - 10 WHERE case_uuid = ?", (str(case.case_uuid),))
    with pytest.raises(StoreError) as refused:
        books.sign(report, cash_lines(report, {USER: (FEE, "")}), "", SUPERVISOR, SUPERVISOR_PASSWORD)
    assert (refused.value.code, refused.value.params["detail"]) == (
        "ledger_damaged",
        f"資料列與封存副本不符（cases {case.case_number}）",
    )
    assert ledger.books.closed_days() == []
