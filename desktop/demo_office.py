"""The demo's second office: a counter of 中壢區 receives a 跨區收件 case for a resident of 桃園區 (the demo
window's office), sending on the paper its counter checked; the home office decides it in 案件處理 — 審核中, 到件登錄
of that paper, then 補件 — while the citizen follows it on /track, on a phone and on a desktop (headless Chromium,
when it is installed)."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from cityserver.app import add_user
from cityserver.devices import create_enrolment
from cityserver.population import Resident, generate
from desktop.bootstrap import SANDBOX_OFFICE, SANDBOX_SUPERVISOR, Services, build_services, enrol
from desktop.browser import DESKTOP, PHONE, chromium, screenshot
from desktop.main_window import MainWindow
from desktop.tasks import TaskRunner, wait_idle
from desktop.tour import settle
from desktop.views.arrival_dialog import ArrivalRequest
from desktop.views.step_dialog import StepRequest
from forms.casesteps import REVIEWING, SUPPLEMENT, Step
from forms.dayclose import cash_lines
from forms.documents import with_shown
from forms.rocdate import format_roc_slash
from forms.transit import ARRIVED, Arrival
from sync.city.client import Credentials
from sync.city.push import push_pending
from sync.ledger.secrets import MemorySecretStore, PracticeSecretStore
from sync.protocol.receipt_signing import short_code

OTHER_OFFICE = "68000020"  # 桃園市中壢區公所
OTHER_CLERK = "中壢櫃台"
SERVICE = "SW-13"  # 全民健康保險第六類轉入: 跨區收件, decided at the applicant's home office


def home_resident() -> Resident:
    """A resident registered in the demo window's own district, born before 2000."""
    return next(r for r in generate() if r.district_code == SANDBOX_OFFICE.code and r.birth_date.year < 2000)


def counter(main: Services, data_dir: Path, office: str, pc: str, clerk: str) -> Services:
    """Another PC of `office`, enrolled with the same sandbox city and signed in as its clerk `clerk`."""
    assert main.sandbox is not None
    factory = main.sandbox.app.state.session_factory
    password = secrets.token_urlsafe(16)
    add_user(factory, clerk, password, office, "clerk")
    keys = PracticeSecretStore(data_dir / "practice-keys.json")
    code = create_enrolment(factory, office, pc, "demo").code
    enrolled, identity = enrol(data_dir, main.sandbox.url, code, keys)
    services = build_services(
        data_dir, enrolled, identity, Credentials(clerk, password), keys, practice=True, tokens=MemorySecretStore()
    )
    services.role = "clerk"
    return services


def take(services: Services, code: str, person: Resident, shown: bool = False) -> str:
    """One case through the PC's intake, pushed to the city; its case number. `shown`: the clerk ticks every paper
    document 已驗 (the citizen brought them all)."""
    service = services.catalog.get(code)
    fields = {f.id: "0912-345-678" for f in service.fields if f.type == "phone"}
    birth = format_roc_slash(person.birth_date)
    form = services.intake.validate(service, person.national_id, person.name, birth, fields)
    assert form.applicant is not None, form.problems
    verified = services.intake.verify(services.intake.new_case_uuid(), service, form.applicant, form.fields, True)
    if shown:
        paper = verified.documents.owed + verified.documents.shown
        verified = replace(verified, documents=with_shown(verified.documents, {d.name for d in paper}))
    case = services.intake.accept(verified)
    push_pending(services.ledger, services.client)
    return case.case_number


def second_counter(main: Services, out: Path) -> Iterator[str]:
    """桃園區's second counter takes a case and closes its own day (the practice supervisor signs): the office's
    day then has two devices, both closed."""
    two = counter(main, out / "data" / "counter-2", SANDBOX_OFFICE.code, "桃園區櫃台2", "櫃台2承辦")
    try:
        number = take(two, "SW-17", home_resident())
        assert two.books is not None
        report = two.books.prepare(two.today())
        two.books.sign(report, cash_lines(report, {}), "", *SANDBOX_SUPERVISOR)
        push_pending(two.ledger, two.client)
        yield f"second counter {two.device.device_id}: {number}; its day closed ({report.cases} case)"
    finally:
        two.close()


def run(window: MainWindow, runner: TaskRunner, out: Path) -> Iterator[str]:
    main = window.services
    yield from second_counter(main, out)
    other = counter(main, out / "data" / "other-office", OTHER_OFFICE, "中壢區櫃台1", OTHER_CLERK)
    try:
        number = take(other, SERVICE, home_resident(), shown=True)
        case = next(c for c in other.ledger.cases.recent() if c.case_number == number)
        yield f"跨區收件 at {other.device.office.name}: {case.case_number} for 戶籍地 {SANDBOX_OFFICE.name}"

        def answer(_parent: object, request: StepRequest) -> Step | None:
            # What the supervisor types in the step dialog (the rule checks it as it would from the keyboard).
            if request.status == SUPPLEMENT:
                return request.check(Step(SUPPLEMENT, "請補齊後送本所", ("戶口名簿影本",), request.owed_by))
            return request.check(Step(request.status, "開始審核"))

        def arrived(_parent: object, request: ArrivalRequest) -> Arrival | None:
            # Everything sent on came with the day's 公文交換: the supervisor leaves every tick on.
            return request.check(Arrival(tuple(p.name for p in request.papers if p.state != ARRIVED)))

        window._ask_step = answer
        window._ask_arrival = arrived
        window.open_cases()
        wait_idle(runner)
        page = window.cases_page
        assert page is not None
        row = next(i for i, line in enumerate(page.shown) if line.case.case_number == case.case_number)
        page.table.selectRow(row)
        settle(0.3)
        page.grab().save(str(out / "cases-inbox.png"))
        yield f"案件處理: {page.summary.text()} → cases-inbox.png"
        for status in (REVIEWING, ARRIVED, SUPPLEMENT):
            page.table.selectRow(next(i for i, ln in enumerate(page.shown) if ln.case.case_uuid == case.case_uuid))
            page.mark_arrival() if status == ARRIVED else page.record(status)
            wait_idle(runner)
            wait_idle(runner)  # the refresh that follows the step
            yield f"{'到件登錄' if status == ARRIVED else 'step ' + status}: {page.status.text()}"
        settle(0.3)
        page.grab().save(str(out / "cases-steps.png"))
        page.write_month()
        wait_idle(runner)
        assert page.month_paths is not None, page.status.text()
        for path in page.month_paths:
            shutil.copy2(path, out / path.name)
        yield f"月報: {page.month_paths[0].name}, {page.month_paths[1].name}"
        page.close()

        url = f"{main.track_base.rstrip('/')}/track?case={case.case_number}&code="
        url += short_code(str(case.case_uuid), case.case_number)
        if chromium() is None:
            yield "track pages: no Chromium installed (apt-get install chromium), not shot"
            return
        for name, size in (("track-phone.png", PHONE), ("track-desktop.png", DESKTOP)):
            shot = out / name
            ok = screenshot(url, shot, size)
            yield f"track page {size[0]}×{size[1]}: {shot if ok else 'Chromium failed'}"
    finally:
        other.close()
