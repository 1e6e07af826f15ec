"""Intake → ledger → push against a real cityserver on 127.0.0.1, including the server being down."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from cityserver.db import CaseRow, LookupAuditRow, StatusEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.calendar import load_calendar
from forms.catalog import load_catalog
from forms.rocdate import format_roc, format_roc_slash
from forms.thresholds import load_thresholds
from forms.types import Outcome
from sync.city.client import CityClient
from sync.city.lookups import LookupService
from sync.city.push import push_pending
from sync.ledger import Ledger
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from sync.services.intake import IntakeService
from tests.conftest import USER, fixed_now
from tests.fakes.devices import TEST_DEVICE, client_for, enrol
from tests.fakes.people import applicant_of
from tests.fakes.tamper import break_checksum, rewrite_first_payload

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx
SERVICE = load_catalog().get("SW-05")  # 敬老愛心卡: household + disability look-ups
PHONE = {"phone": "0912-345-678"}


def server_cases(city: EmbeddedServer) -> list[CaseRow]:
    with city.app.state.session_factory() as s:
        return list(s.query(CaseRow).all())


def take(intake: IntakeService, person: Resident) -> tuple[Outcome, str]:
    form = intake.validate(SERVICE, person.national_id, person.name, format_roc_slash(person.birth_date), PHONE)
    assert form.applicant is not None, form.problems
    verification = intake.verify(intake.new_case_uuid(), SERVICE, form.applicant, form.fields, consent=True)
    saved = intake.accept(verification)
    return verification.decision.outcome, saved.case_number


def test_eligible_and_ineligible_reach_the_server_once(
    intake: IntakeService,
    ledger: Ledger,
    client: CityClient,
    city: EmbeddedServer,
    senior: Resident,
    young: Resident,
    senior_elsewhere: Resident,
) -> None:
    assert take(intake, senior)[0] is Outcome.PASS
    assert take(intake, young)[0] is Outcome.FAIL
    assert take(intake, senior_elsewhere)[0] is Outcome.FAIL
    report = push_pending(ledger, client)
    assert (report.accepted, report.error_code) == (3, None)
    assert ledger.outbox.counts() == {"pending": 0, "sent": 3, "attention": 0, "withdrawn": 0}
    assert len(server_cases(city)) == 3
    # Every look-up is audited on both sides, with the masked ID only.
    with city.app.state.session_factory() as s:
        audits = s.query(LookupAuditRow).all()
    assert len(audits) == 3 * (len(SERVICE.lookups) + 1)  # + the duplicate check, a look-up of cases by ID
    assert {a.kind for a in audits} == {*SERVICE.lookups, "cases"}
    assert {a.id_masked for a in audits} == {p.national_id[:6] + "****" for p in (senior, young, senior_elsewhere)}


def test_server_down_then_up(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, senior: Resident, young: Resident
) -> None:
    take(intake, senior)
    push_pending(ledger, client)
    city.stop()
    outcome, _ = take(intake, young)
    assert outcome is Outcome.UNKNOWN  # accepted as pending verification, not guessed
    report = push_pending(ledger, client)
    assert report.error_code == "net_unreachable"
    assert ledger.outbox.counts()["pending"] == 1
    take(intake, senior)
    assert ledger.outbox.counts()["pending"] == 2  # the outbox grows while offline
    city.start()
    report = push_pending(ledger, client, ignore_schedule=True)
    assert (report.accepted, report.error_code) == (2, None)
    assert ledger.outbox.counts() == {"pending": 0, "sent": 3, "attention": 0, "withdrawn": 0}
    held = server_cases(city)
    assert len(held) == 3 and len({c.case_uuid for c in held}) == 3
    offline_case = next(c for c in held if json.loads(c.payload)["decision"] == "unknown")
    codes = json.loads(offline_case.payload)["reason_codes"]
    assert codes[:2] == ["household_unavailable"] * 2 and codes[2] == "any_of_unknown"


def outbox_batch(ledger: Ledger) -> wire.CasesBatchRequest:
    items = ledger.outbox.due(100, None)
    return wire.CasesBatchRequest(cases=[wire.CaseIn.model_validate_json(i.payload) for i in items])


def test_replayed_batch_is_duplicate_not_a_second_case(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, senior: Resident
) -> None:
    take(intake, senior)
    take(intake, senior)
    batch = outbox_batch(ledger)
    first = client.push_cases(batch)
    assert [r.status for r in first.results] == ["accepted", "accepted"]
    # The response was "lost": the client sends the very same batch again.
    again = client.push_cases(batch)
    assert [r.status for r in again.results] == ["duplicate", "duplicate"]
    assert len(server_cases(city)) == 2
    # The push step treats duplicate as delivered.
    report = push_pending(ledger, client)
    assert (report.duplicate, report.accepted) == (2, 0)
    assert ledger.outbox.counts()["sent"] == 2


def test_same_uuid_other_content_is_conflict_and_never_overwrites(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, senior: Resident
) -> None:
    take(intake, senior)
    original = outbox_batch(ledger)
    client.push_cases(original)
    first = original.cases[0]
    assert first.terms is not None
    # The fee and the receipt's terms changed together (a payload that contradicts itself is refused as malformed).
    tampered = first.model_copy(update={"fee": 999, "terms": first.terms.model_copy(update={"fee": 999})})
    answer = client.push_cases(wire.CasesBatchRequest(cases=[tampered]))
    assert answer.results[0].status == "conflict"
    (held,) = server_cases(city)
    assert json.loads(held.payload)["fee"] == 0


def test_one_bad_case_does_not_block_the_batch(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, senior: Resident, tmp_path: Path
) -> None:
    take(intake, senior)
    take(intake, senior)
    # Corrupt the first queued case on disk (as a bug or a broken disk might): an ID with a bad checksum.
    rewrite_first_payload(ledger, break_checksum)
    report = push_pending(ledger, client)
    assert (report.rejected, report.accepted) == (1, 1)
    assert ledger.outbox.counts() == {"pending": 0, "sent": 1, "attention": 1, "withdrawn": 0}
    assert len(server_cases(city)) == 1


def test_lookup_refused_without_consent_and_audited(intake: IntakeService, ledger: Ledger, senior: Resident) -> None:
    from forms.errors import ValidationError

    form = intake.validate(SERVICE, senior.national_id, senior.name, format_roc_slash(senior.birth_date), PHONE)
    assert form.applicant is not None
    case = uuid4()
    with pytest.raises(ValidationError) as err:
        intake.verify(case, SERVICE, form.applicant, form.fields, consent=False)
    assert err.value.code == "consent_missing"
    assert ledger.audit.of_case(case) == [("household", "refused", senior.national_id[:6] + "****")]


def test_wrong_password_is_an_auth_error(city: EmbeddedServer) -> None:

    bad = client_for(city, TEST_DEVICE, USER, "wrong")
    with pytest.raises(SyncError) as err:
        bad.lookup(
            "household", wire.LookupRequest(case_uuid=uuid4(), purpose="SW-05", consent=True, national_id="A123456789")
        )
    assert err.value.kind is SyncErrorKind.AUTH
    bad.close()


def test_duplicate_seen_from_another_device_through_the_server(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, senior: Resident, tmp_path: Path
) -> None:
    from forms.calendar import load_calendar
    from forms.thresholds import load_thresholds
    from sync.city.lookups import LookupService
    from sync.ledger import Device
    from tests.conftest import OFFICE, PASSWORD, fixed_now

    _, number = take(intake, senior)
    push_pending(ledger, client)
    # A second counter (another device, its own ledger) takes the same person for the same service.
    second = enrol(city, OFFICE.code, "counter 2")
    other_device = Device(OFFICE, second.device_id)
    other_ledger = Ledger(tmp_path / "other.db", other_device, b"\x02" * 32, fixed_now)
    other_client = client_for(city, second, USER, PASSWORD)
    other = IntakeService(
        other_ledger,
        LookupService(other_ledger, other_client),
        other_client,
        other_device,
        USER,
        load_catalog(),
        load_calendar(),
        load_thresholds(),
        fixed_now,
    )
    form = other.validate(SERVICE, senior.national_id, senior.name, format_roc_slash(senior.birth_date), PHONE)
    assert form.applicant is not None
    verification = other.verify(other.new_case_uuid(), SERVICE, form.applicant, form.fields, consent=True)
    assert verification.duplicates == (number,)
    other_client.close()
    other_ledger.close()


def test_deferred_lookups_run_when_the_network_returns(
    intake: IntakeService,
    ledger: Ledger,
    client: CityClient,
    city: EmbeddedServer,
    senior: Resident,
    senior_elsewhere: Resident,
) -> None:
    from cityserver.db import CaseUpdateRow

    city.stop()
    take(intake, senior)
    take(intake, senior_elsewhere)
    assert [c.service_code for c in ledger.cases.awaiting_verification()] == ["SW-05", "SW-05"]
    assert intake.verify_deferred() == []  # still offline: nothing decided, nothing recorded
    city.start()
    push_pending(ledger, client, ignore_schedule=True)
    changes = intake.verify_deferred()
    assert [c.decision.outcome.value for c in changes] == ["pass", "fail"]
    assert ledger.cases.awaiting_verification() == []
    report = push_pending(ledger, client, ignore_schedule=True)
    assert report.accepted == 2 and report.error_code is None
    with city.app.state.session_factory() as s:
        updates = s.query(CaseUpdateRow).all()
    assert sorted(json.loads(u.payload)["decision"] for u in updates) == ["fail", "pass"]
    assert {c.status for c in ledger.cases.cases_on(fixed_now().date())} == {"已補查"}
    assert ledger.audit.verify_chain() is None  # the deferred look-ups were audited like any other


def test_server_restored_from_backup_gets_the_lost_cases_again(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, population: list[Resident]
) -> None:
    from sync.city.reconcile import reconcile

    for person in population[:5]:
        take(intake, person)
    push_pending(ledger, client)
    day = fixed_now().date()
    assert reconcile(ledger, client, day).resent == ()
    with city.app.state.session_factory.begin() as s:  # the city restores last night's backup: two cases gone
        rows = s.query(CaseRow).order_by(CaseRow.case_number).all()
        assert len(rows) == 5
        lost = [r.case_uuid for r in rows[:2]]
        s.query(StatusEventRow).filter(StatusEventRow.case_uuid.in_(lost)).delete()
        for r in rows[:2]:
            s.delete(r)
        rows[2].content_hash = "0" * 64  # and one is held with other content
    report = reconcile(ledger, client, day)
    assert sorted(report.resent) == sorted(lost) and len(report.differing) == 1
    assert push_pending(ledger, client, ignore_schedule=True).accepted == 2
    assert len(server_cases(city)) == 5
    assert ledger.outbox.counts() == {"pending": 0, "sent": 4, "attention": 1, "withdrawn": 0}


def test_clock_skew_is_measured_and_kept_not_fatal(
    intake: IntakeService, ledger: Ledger, client: CityClient, senior: Resident
) -> None:
    """The device clock is two days ahead: the push still succeeds and the skew is recorded for a warning."""
    from datetime import datetime, timedelta

    from forms.clock import TAIPEI

    take(intake, senior)
    report = push_pending(ledger, client, now=lambda: datetime.now(TAIPEI) + timedelta(days=2))
    assert report.accepted == 1 and report.error_code is None
    skew = ledger.settings.clock_skew()
    assert skew is not None and abs(skew + 2 * 86_400) < 60  # the server is two days behind this device


def test_status_pull_back_and_forwarding_to_the_home_district(
    ledger: Ledger, client: CityClient, city: EmbeddedServer, population: list[Resident], tmp_path: Path
) -> None:
    """A 跨區收件 case taken at 桃園區 for a resident of another Taoyuan district goes to that district's queue; its
    office records the steps; the receiving device pulls them back. Other offices see none of it."""
    from forms.calendar import load_calendar
    from forms.thresholds import load_thresholds
    from sync.city.lookups import LookupService
    from sync.city.pull import pull_statuses
    from tests.conftest import OFFICE

    home = next(r for r in population if r.city_code == OFFICE.city_code and r.district_code != OFFICE.code)
    service = load_catalog().get("SW-14")  # 全民健康保險第六類轉出: 跨區收件
    counter = IntakeService(
        ledger,
        LookupService(ledger, client),
        client,
        ledger.device,
        USER,
        load_catalog(),
        load_calendar(),
        load_thresholds(),
        fixed_now,
    )
    form = counter.validate(service, home.national_id, home.name, format_roc_slash(home.birth_date), PHONE)
    assert form.applicant is not None
    case = counter.accept(counter.verify(counter.new_case_uuid(), service, form.applicant, form.fields, True))
    push_pending(ledger, client)
    assert pull_statuses(ledger, client) == 1
    first = ledger.cases.case(case.case_uuid)
    assert first.server_status == "已轉送" and home.district_name in (first.server_note or "")
    # The home district's office sees the case in its queue and records its steps.
    from cityserver.app import add_user

    add_user(city.app.state.session_factory, "home-clerk", "home-pw-1", home.district_code, "clerk")
    other = client_for(city, enrol(city, home.district_code), "home-clerk", "home-pw-1")
    queue = other.forwarded().cases
    assert [(c.case_number, c.received_by, c.id_masked) for c in queue] == [
        (case.case_number, OFFICE.code, home.national_id[:6] + "****")
    ]
    other.record_step(case.case_uuid, wire.CaseStepIn(step_uuid=uuid.uuid4(), status="審核中"))
    later = date.today() + timedelta(days=20)
    asked = wire.CaseStepIn(
        step_uuid=uuid.uuid4(), status="補件", note="請補齊後送本所", owed=["戶口名簿影本"], owed_by=later
    )
    other.record_step(case.case_uuid, asked)
    assert pull_statuses(ledger, client) == 2
    # The office that took it knows what the citizen is to bring, and by when (to tell them at its counter).
    held = ledger.cases.case(case.case_uuid)
    assert (held.server_status, held.server_note) == (
        "補件",
        f"應補：戶口名簿影本（{format_roc(later)}前）；請補齊後送本所",
    )
    other.record_step(case.case_uuid, wire.CaseStepIn(step_uuid=uuid.uuid4(), status="核准", note="已完成轉出"))
    assert pull_statuses(ledger, client) == 1
    assert ledger.cases.case(case.case_uuid).server_status == "核准"
    assert pull_statuses(ledger, client) == 0  # the cursor moved on
    # The receiving office may not decide it, and a third office cannot even see it.
    with pytest.raises(SyncError):
        client.record_step(
            case.case_uuid, wire.CaseStepIn(step_uuid=uuid.uuid4(), status="駁回", note="不是本所的案件")
        )
    add_user(city.app.state.session_factory, "third", "third-pw-1", "68000090", "clerk")
    third = client_for(city, enrol(city, "68000090"), "third", "third-pw-1")
    assert third.forwarded().cases == [] and third.status_changes(0).changes == []
    for c in (other, third):
        c.close()


def test_one_sync_loop_per_ledger(intake: IntakeService, ledger: Ledger, client: CityClient, senior: Resident) -> None:
    from sync.ledger.filelock import exclusive

    take(intake, senior)
    with exclusive(ledger.path.with_name(ledger.path.name + ".sync-lock")) as held:
        assert held
        assert push_pending(ledger, client).error_code == "sync_busy"  # a second app instance stands down
        assert ledger.outbox.counts()["pending"] == 1
    assert push_pending(ledger, client).accepted == 1


def test_concurrent_pushes_of_the_same_cases_store_each_once(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, population: list[Resident]
) -> None:
    """S3: two senders race with the same keys (no lock between them): the server's key, not a check, decides."""
    import threading

    from tests.conftest import PASSWORD

    for person in population[:10]:
        take(intake, person)
    batch = outbox_batch(ledger)
    statuses: list[str] = []
    barrier = threading.Barrier(4)

    def sender() -> None:
        c = client_for(city, TEST_DEVICE, USER, PASSWORD)
        c.health()
        barrier.wait()
        statuses.extend(r.status for r in c.push_cases(batch).results)
        c.close()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses.count("accepted") == 10 and statuses.count("duplicate") == 30
    assert len(server_cases(city)) == 10


def test_catalog_update_during_an_offline_week(
    intake: IntakeService, ledger: Ledger, city_template: Path, tmp_path: Path, senior: Resident
) -> None:
    """The city publishes a new 敬老愛心卡 entry while the laptop is offline: cases taken under the old version keep
    it and are accepted; the update is pulled whole on return and used from then on (and after a restart)."""
    import shutil

    from cityserver.app import create_app
    from forms.catalog import load_catalog as shipped
    from forms.errors import CatalogError
    from forms.resources import resource_path
    from sync.city.catalog_sync import pull_catalog, stored_catalog
    from tests.conftest import PASSWORD

    published = tmp_path / "published"
    shutil.copytree(resource_path("catalog"), published)
    card = published / "05_sw_05.toml"
    was = shipped().get("SW-05").catalog_version  # the version the device ships with; the city publishes the next
    card.write_text(
        card.read_text(encoding="utf-8")
        .replace(f"catalog_version = {was}", f"catalog_version = {was + 1}")
        .replace('fee_note = "初次申請免費；補換發費用依機關公告"', 'fee_note = "初次申請免費（116年起新制）"'),
        encoding="utf-8",
    )
    db = tmp_path / "city2.db"
    shutil.copy2(city_template, db)
    server = EmbeddedServer(create_app(f"sqlite:///{db}", catalog_dir=published))
    server.start()
    try:
        offline = client_for(server, TEST_DEVICE, USER, PASSWORD)
        local = IntakeService(
            ledger,
            LookupService(ledger, offline),
            offline,
            ledger.device,
            USER,
            shipped(),
            load_calendar(),
            load_thresholds(),
            fixed_now,
        )
        server.stop()
        old = local.accept(
            local.verify(local.new_case_uuid(), SERVICE, applicant_of(senior), {"phone": "0912-345-678"}, True)
        )
        server.start()
        assert push_pending(ledger, offline, ignore_schedule=True).accepted == 1
        held = {
            json.loads(c.payload)["case_number"]: json.loads(c.payload)["catalog_version"] for c in server_cases(server)
        }
        assert held == {old.case_number: was}  # taken under the shipped version, and so it stays
        updated = pull_catalog(ledger, offline, shipped())
        assert updated.get("SW-05").catalog_version == was + 1 and "116年起新制" in updated.get("SW-05").fee_note
        assert stored_catalog(ledger, shipped()).get("SW-05").catalog_version == was + 1  # after a restart too
        assert pull_catalog(ledger, offline, updated) is updated  # nothing newer
        # A broken file from the city is refused whole: nothing of that update is kept. (The city's own server
        # refuses to start on a broken catalog, so the broken answer is scripted here.)
        good = wire.CatalogEntry(
            code="SW-05",
            version=was + 2,
            file_name="05_sw_05.toml",
            text=card.read_text(encoding="utf-8").replace(
                f"catalog_version = {was + 1}", f"catalog_version = {was + 2}"
            ),
        )
        bad = wire.CatalogEntry(code="SW-03", version=was + 2, file_name="03_sw_03.toml", text='code = "SW-03"\n')

        class Scripted:
            def catalog_delta(self, since: int) -> wire.CatalogDelta:
                return wire.CatalogDelta(entries=[good, bad], version=was + 2)

        with pytest.raises(CatalogError):
            pull_catalog(ledger, Scripted(), updated)  # type: ignore[arg-type]
        assert stored_catalog(ledger, shipped()).get("SW-05").catalog_version == was + 1
        offline.close()
    finally:
        server.stop()


def test_backlog_block_and_a_supervisors_offline_override(
    intake: IntakeService, ledger: Ledger, city: EmbeddedServer, senior: Resident, young: Resident
) -> None:
    from datetime import timedelta

    from forms.backlog import BacklogPolicy
    from forms.errors import DomainError
    from sync.city.offline_login import remember_login, verify_supervisor
    from sync.ledger.secrets import MemorySecretStore
    from tests.conftest import SUPERVISOR, SUPERVISOR_PASSWORD

    city.stop()
    take(intake, senior)  # queued, and the laptop stays offline…
    intake._now = lambda: fixed_now() + timedelta(days=8)  # …for eight days
    intake.backlog_policy = BacklogPolicy(block_days=7)
    store = MemorySecretStore()
    remember_login(store, SUPERVISOR, SUPERVISOR_PASSWORD, fixed_now(), role="supervisor")
    remember_login(store, USER, "clerk-pw-xx", fixed_now(), role="clerk")
    intake.verify_supervisor = lambda user, password: verify_supervisor(store, user, password)
    with pytest.raises(DomainError) as err:
        take(intake, young)
    assert err.value.code == "backlog_blocked"
    with pytest.raises(DomainError):
        intake.override_backlog(USER, "clerk-pw-xx", "村民大會，需繼續受理")  # a clerk cannot lift it
    with pytest.raises(DomainError):
        intake.override_backlog(SUPERVISOR, "wrong", "村民大會，需繼續受理")
    intake.override_backlog(SUPERVISOR, SUPERVISOR_PASSWORD, "村民大會，需繼續受理")
    take(intake, young)
    assert ledger.outbox.counts()["pending"] == 2
    with sqlite3.connect(ledger.path) as conn:
        recorded = conn.execute("SELECT clerk, outcome, detail FROM lookups WHERE kind = 'backlog-override'").fetchall()
    assert recorded == [(SUPERVISOR, "granted", "村民大會，需繼續受理")]
    assert ledger.audit.verify_chain() is None
