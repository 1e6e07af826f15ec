"""`counterdesk demo --out DIR`: a scripted day in practice mode, headless.

Three intakes of 敬老愛心卡 through the real window — an eligible senior, an ineligible applicant, and one taken
while the city server is unreachable — a 跨區收件 case another office received for this one, decided in 案件處理 and
followed on /track, then sync, day close, and screenshots of each step.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtWidgets import QApplication

from cityserver.population import Resident, generate
from desktop import app as qtapp
from desktop import demo_office
from desktop.bootstrap import SANDBOX_OFFICE, SANDBOX_SUPERVISOR, start_sandbox
from desktop.main_window import MainWindow
from desktop.tasks import TaskRunner, wait_idle
from desktop.tour import tour
from desktop.window_state import keep_layouts_in
from forms.clock import taipei_now
from forms.eligibility import eligible_from
from forms.rocdate import format_roc_slash

SERVICE = "SW-05"  # 敬老愛心卡


def pick_residents() -> tuple[Resident, Resident, Resident]:
    """Two eligible seniors and one resident under 65 without a disability, all registered in the office's city."""
    today = taipei_now().date()
    local = [r for r in generate() if r.city_code == SANDBOX_OFFICE.city_code]
    seniors = [r for r in local if eligible_from(r.birth_date, 65, "birthday_month") <= today]
    young = [
        r
        for r in local
        if eligible_from(r.birth_date, 65, "birthday_month") > today
        and r.birth_date.year < 2000
        and r.disability is None
    ]
    return seniors[0], young[0], seniors[1]


def parking_applicant() -> Resident:
    """A resident of the office's city whose disability certificate notes 行動不便 (parking permit, SW-03)."""
    today = taipei_now().date()
    return next(
        r
        for r in generate()
        if r.city_code == SANDBOX_OFFICE.city_code
        and r.disability
        and "行動不便" in r.disability["needs"]
        and (r.disability["expires_on"] is None or r.disability["expires_on"] >= today.isoformat())
    )


def intake(
    window: MainWindow,
    runner: TaskRunner,
    person: Resident,
    shots: Path,
    label: str,
    fields: dict[str, str] | None = None,
) -> None:
    wizard = window.intake
    wizard.clear()
    form = wizard.form
    form.id_edit.setText(person.national_id)
    form.name_edit.setText(person.name)
    form.birth_edit.setText(format_roc_slash(person.birth_date))
    for key, value in (fields or {"phone": "0912-345-678"}).items():
        form.set_value(key, value)
    form.consent_box.setChecked(True)
    window.grab().save(str(shots / f"step1-{label}.png"))
    wizard.on_verify_clicked()
    wait_idle(runner)
    window.grab().save(str(shots / f"step2-{label}.png"))  # the decision as the clerk sees it
    wizard.on_next_clicked()
    window.grab().save(str(shots / f"step3-{label}.png"))
    if wizard.verification is not None and wizard.verification.documents.owed:
        wizard.on_notice_clicked()  # 一次告知單 for the paper still owed
        wait_idle(runner)
    wizard.on_accept_clicked()
    wait_idle(runner)
    window.grab().save(str(shots / f"step4-{label}.png"))


def settle(seconds: float = 0.6) -> None:
    """Let Qt's PDF view finish rendering its pages (it does so in the background) before a screenshot."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def run(out: Path, suffix: str | None = None) -> Iterator[str]:
    """`suffix` (e.g. "1366x768@150"): also screenshots of every page and dialog at this process's screen."""
    out.mkdir(parents=True, exist_ok=True)
    data_dir = out / "data"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    app = QApplication.instance() or QApplication([])
    qtapp.configure(app)  # type: ignore[arg-type]
    keep_layouts_in(data_dir / "layouts")  # the demo's window leaves the user's own layout alone
    services = start_sandbox(data_dir)
    runner = TaskRunner()
    supervisor = (*SANDBOX_SUPERVISOR, "民眾當場改申請其他項目")  # the practice supervisor approves
    window = MainWindow(services, runner, confirm=lambda *_: True, supervisor_dialog=lambda *_: supervisor)
    window.show()
    wait_idle(runner)
    window.service_list.choose(SERVICE)
    eligible, ineligible, offline_person = pick_residents()
    receipts: list[Path] = []
    try:
        for label, person in (("eligible", eligible), ("ineligible", ineligible)):
            intake(window, runner, person, out, label)
            assert window.last_receipt is not None
            receipts.append(window.last_receipt)
            yield f"intake {label}: {window.intake.outcome_label.text()} → {window.last_receipt.name}"
        assert services.sandbox is not None
        services.sandbox.stop()
        intake(window, runner, offline_person, out, "offline")
        assert window.last_receipt is not None
        receipts.append(window.last_receipt)
        outbox = services.ledger.outbox.counts()
        yield f"intake offline: {window.intake.outcome_label.text()} → {window.last_receipt.name}; outbox {outbox}"
        services.sandbox.start()
        window.service_list.choose("SW-03")  # a second service: disabled parking permit, with its own fields
        parking = {"phone": "03-3322101", "plate": "ABC-1234", "vehicle_type": "自用小客車", "relation": "本人"}
        intake(window, runner, parking_applicant(), out, "parking", parking)
        assert window.last_receipt is not None and window.last_notice is not None
        receipts.append(window.last_receipt)
        shutil.copy2(window.last_notice, out / "notice-parking.pdf")
        yield f"intake parking: {window.intake.outcome_label.text()} → {window.last_receipt.name}; notice-parking.pdf"
        yield from demo_office.run(window, runner, out)
        if suffix is not None:
            for shot in tour(window, runner, out / "screens", suffix, parking_applicant(), parking):
                verdict = "fits" if not shot.problems else "CUT OFF: " + "; ".join(shot.problems)
                yield f"screen {shot.path.name}: {verdict}"
        window.sync_now()
        wait_idle(runner)
        yield f"sync: outbox {services.ledger.outbox.counts()}"
        verified = window.sync_panel.reverified.text().splitlines()[1:]
        yield f"deferred look-ups: {'; '.join(verified) or 'none'}"
        by_number = {c.case_number: c for c in services.ledger.cases.recent()}
        window.on_sync_panel_void_requested(by_number[receipts[1].stem])  # the ineligible applicant's receipt
        wait_idle(runner)
        assert window.last_receipt is not None and "作廢" in window.last_receipt.name
        receipts.append(window.last_receipt)
        yield f"void: {window.last_receipt.name}"
        window.set_receipt_layout("thermal80")
        window.on_sync_panel_reprint_requested(by_number[receipts[0].stem])
        wait_idle(runner)
        window.set_receipt_layout("a4")
        assert window.last_receipt is not None
        thermal = out / f"thermal-{window.last_receipt.name}"
        shutil.copy2(window.last_receipt, thermal)
        yield f"thermal receipt (80 mm): {thermal}"
        window.sync_now()
        wait_idle(runner)
        window.close_day()
        wait_idle(runner)
        page = window.dayclose_page
        assert page is not None and page.report is not None
        if page.blockers.text():
            page.note.setPlainText("練習：離線受理的案件已於連線後補傳")
        settle()
        page.grab().save(str(out / "dayclose-page.png"))
        page.sign()
        wait_idle(runner)
        settle()
        page.grab().save(str(out / "dayclose-signed.png"))
        yield f"day close: {page.message.text()}"
        for path in receipts:
            shutil.copy2(path, out / path.name)
            yield f"receipt: {out / path.name}"
        assert window.last_dayclose is not None
        shutil.copy2(window.last_dayclose, out / window.last_dayclose.name)
        yield f"day close: {out / window.last_dayclose.name}"
        window.open_office_day()  # every device of the office, as the city holds them, then the office's sign-off
        wait_idle(runner)
        office_page = window.officeday_page
        assert office_page is not None
        office_page.sign()
        wait_idle(runner)
        wait_idle(runner)
        settle()
        office_page.grab().save(str(out / "office-day.png"))
        assert office_page.report_path is not None, office_page.message.text()
        shutil.copy2(office_page.report_path, out / office_page.report_path.name)
        yield f"office day: {office_page.title.text()} → {office_page.report_path.name}"
        office_page.close()
        window.show_sync_page(True)  # the sync page, as a liaison officer checks it at the end of the day
        window.grab().save(str(out / "window.png"))
        yield f"screenshot: {out / 'window.png'}"
    finally:
        if window.dayclose_page is not None:
            window.dayclose_page.close()
        window.close()
        runner.shutdown()
        services.close()
