"""The wizard in the real window, driven by keyboard with pytest-qt against a real cityserver on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.db import CaseRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from tests.conftest import SUPERVISOR, SUPERVISOR_PASSWORD
from tests.desktop.conftest import Dialogs, accept, fill, pdf_text, settle, table_count, type_text, verify
from tests.fakes.tamper import rewrite_first_payload

PHONE = {"phone": "0912345678"}


def choose(qtbot: QtBot, w: MainWindow, query: str) -> None:
    """Ctrl+F, type, Enter: the first match is chosen and focus lands on the ID field."""
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.service_list.search_edit.hasFocus()
    w.service_list.search_edit.clear()
    type_text(qtbot, w.service_list.search_edit, query)
    qtbot.keyClick(w.service_list.search_edit, Qt.Key.Key_Return)
    assert w.intake.form.id_edit.hasFocus()


def take_offline(qtbot: QtBot, w: MainWindow, city: EmbeddedServer, person: Resident) -> None:
    """敬老愛心卡 for `person` while the city server is down, up to the result page."""
    choose(qtbot, w, "SW-05")
    city.stop()
    fill(qtbot, w, person, PHONE)
    verify(qtbot, w)


def test_eligible_intake_by_keyboard(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident, tmp_path: Path
) -> None:
    choose(qtbot, window, "SW-05")
    assert "敬老愛心卡" in window.intake.service_label.text()
    fill(qtbot, window, senior, PHONE)
    window.grab().save(str(tmp_path / "step1.png"))
    verify(qtbot, window)
    assert "符合資格" in window.intake.outcome_label.text()
    rules = [window.intake.rules_list.item(i).text() for i in range(window.intake.rules_list.count())]
    assert len(rules) == 3 and all(r.startswith("✔") for r in rules)
    case, receipt = accept(qtbot, window)
    assert case.decision.value == "pass" and case.fields == {"phone": "0912-345-678"}
    text = pdf_text(receipt)
    assert case.case_number in text and senior.national_id[:6] + "****" in text
    assert "戶口名簿或戶籍謄本" in text  # replaced by the look-up, printed as 免附
    # Enter on the done page starts the next citizen, on the same service.
    qtbot.keyClick(window.intake.next_citizen_button, Qt.Key.Key_Return)
    assert window.intake.step == 0 and window.intake.form.id_edit.text() == ""
    assert window.intake.form.id_edit.hasFocus()


def test_ineligible_intake_needs_confirmation_and_prints_the_reason(
    qtbot: QtBot, window: MainWindow, services: Services, dialogs: Dialogs, senior_elsewhere: Resident
) -> None:
    choose(qtbot, window, "敬老")
    fill(qtbot, window, senior_elsewhere, PHONE)
    verify(qtbot, window)
    assert "不符資格" in window.intake.outcome_label.text()
    case, receipt = accept(qtbot, window)
    assert len(dialogs.questions) == 1 and "不符資格" in dialogs.questions[0]
    assert case.decision.value == "fail"
    assert "戶籍不在桃園市" in pdf_text(receipt)


def test_invalid_input_gets_messages_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    choose(qtbot, window, "SW-05")
    wrong = senior.national_id[:9] + str((int(senior.national_id[9]) + 1) % 10)
    fill(qtbot, window, Resident(**{**vars(senior), "national_id": wrong}), {"phone": "3322101"})
    verify(qtbot, window)
    form = window.intake.form
    assert "檢查碼不符" in form.errors["national_id"].text()
    assert "區碼" in form.errors["phone"].text()
    assert window.intake.step == 0 and form.id_edit.hasFocus()
    for table in ("cases", "receipts", "outbox", "lookups"):
        assert table_count(services, table) == 0, table


def test_missing_consent_blocks_the_lookup(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE, consent=False)
    verify(qtbot, window)
    assert "同意" in window.intake.message_label.text()
    assert table_count(services, "lookups") == 0


def test_offline_intake_then_sync_now(
    qtbot: QtBot, window: MainWindow, services: Services, city: EmbeddedServer, senior: Resident
) -> None:
    take_offline(qtbot, window, city, senior)
    assert "待查驗" in window.intake.outcome_label.text()
    owed = [window.intake.owed_list.item(i).text() for i in range(window.intake.owed_list.count())]
    accept(qtbot, window)
    assert (
        any(
            "戶口名簿" in o
            for o in [window.intake.owed_list.item(i).text() for i in range(window.intake.owed_list.count())]
        )
        or owed == []
    )
    qtbot.waitUntil(lambda: "離線" in window.online_label.text())
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert "待上傳 1 件" in window.outbox_label.text()
    city.start()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "待上傳 0 件" in window.outbox_label.text(), timeout=10_000)
    assert "已連線" in window.online_label.text()
    with city.app.state.session_factory() as s:
        assert s.query(CaseRow).count() == 1


def test_escape_goes_back_then_clears(qtbot: QtBot, window: MainWindow, senior: Resident) -> None:
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    assert window.intake.step == 1
    qtbot.keyClick(window.intake.next_button, Qt.Key.Key_Escape)
    assert window.intake.step == 0 and window.intake.form.id_edit.text() != ""
    qtbot.keyClick(window.intake.form.id_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.intake.form.id_edit.text() == "" and not window.intake.form.consent_box.isChecked()


def test_duplicate_application_is_warned(qtbot: QtBot, window: MainWindow, dialogs: Dialogs, senior: Resident) -> None:
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    first, _ = accept(qtbot, window)
    qtbot.keyClick(window.intake.next_citizen_button, Qt.Key.Key_Return)
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    assert first.case_number in window.intake.duplicate_label.text()
    dialogs.answer = False  # the clerk heeds the warning
    qtbot.keyClick(window.intake.next_button, Qt.Key.Key_Return)
    assert window.intake.step == 1
    assert "重複" in dialogs.questions[-1]


def test_supervisor_override_is_recorded_with_the_case(
    qtbot: QtBot, window: MainWindow, services: Services, dialogs: Dialogs, senior_elsewhere: Resident
) -> None:
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior_elsewhere, PHONE)
    verify(qtbot, window)
    dialogs.override = (SUPERVISOR, "wrong-password", "本人已遷入本市，戶籍資料尚未更新")
    qtbot.keyClick(window.intake.next_button, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "未核准" in window.intake.message_label.text(), timeout=10_000)
    dialogs.override = (SUPERVISOR, SUPERVISOR_PASSWORD, "本人已遷入本市，戶籍資料尚未更新")
    qtbot.keyClick(window.intake.next_button, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "核准" in window.intake.outcome_label.text(), timeout=10_000)
    case, receipt = accept(qtbot, window)
    assert case.override is not None and case.override.supervisor == SUPERVISOR
    assert case.override.rules == ["residence_in_city"]
    assert case.decision.value == "fail"  # the failed rule stands; the override says who accepted it and why
    assert "經主管" in pdf_text(receipt)


def test_cancel_during_lookups_decides_nothing(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    choose(qtbot, window, "SW-19")  # four look-ups
    fill(
        qtbot,
        window,
        senior,
        {"phone": "0912345678", "monthly_rent": "12000", "rental_address": "桃園市桃園區中正里中正路1號"},
    )
    window.intake._cancel.set()  # the clerk presses Esc before the first look-up starts
    original = window.intake._cancel.clear
    window.intake._cancel.clear = lambda: None  # type: ignore[method-assign]
    try:
        qtbot.keyClick(window.intake.form.consent_box, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: "取消" in window.intake.message_label.text(), timeout=10_000)
    finally:
        window.intake._cancel.clear = original  # type: ignore[method-assign]
    assert window.intake.step == 0
    assert table_count(services, "cases") == 0 and table_count(services, "lookups") == 0


def test_live_validation_speaks_when_a_field_is_left(qtbot: QtBot, window: MainWindow, senior: Resident) -> None:
    choose(qtbot, window, "SW-05")
    form = window.intake.form
    qtbot.keyClicks(form.id_edit, "A123456788")
    qtbot.keyClick(form.id_edit, Qt.Key.Key_Tab)  # leave the field
    assert "檢查碼不符" in form.errors["national_id"].text()
    assert form.errors["name"].text() == ""  # fields not reached yet are not scolded
    assert form.name_edit.hasFocus()  # the clerk is not trapped in the wrong field
    form.id_edit.setFocus()
    form.id_edit.clear()
    qtbot.keyClicks(form.id_edit, senior.national_id)
    qtbot.keyClick(form.id_edit, Qt.Key.Key_Return)
    assert form.errors["national_id"].text() == ""


def test_tampered_audit_trail_is_shown_at_start(
    qtbot: QtBot, services: Services, open_window: Callable[[], MainWindow]
) -> None:
    import sqlite3
    from uuid import uuid4

    from sync.ledger import LookupAudit

    for kind in ("household", "disability"):
        services.ledger.audit.record(LookupAudit(uuid4(), "SW-05", kind, "H123456786", "clerk-test", "hit"))
    with sqlite3.connect(services.ledger.path) as conn:
        conn.execute("UPDATE lookups SET outcome = 'miss' WHERE seq = 1")
    w = open_window()
    qtbot.waitUntil(lambda: w.audit_label.isVisible(), timeout=5_000)
    assert "第 1 筆" in w.audit_label.text()


def test_sync_page_lists_set_aside_cases_for_resend_or_withdrawal(
    qtbot: QtBot, window: MainWindow, services: Services, city: EmbeddedServer, senior: Resident
) -> None:

    choose(qtbot, window, "SW-05")
    city.stop()  # taken offline, then damaged on disk so that the city must reject it
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    accept(qtbot, window)
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert window.offline_banner.isVisible()
    rewrite_first_payload(services.ledger, lambda payload: payload.update(service_code="XX-99"))
    city.start()
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.sync_page_shown
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "需處理 1 件" in window.sync_panel.counts_label.text(), timeout=10_000)
    assert not window.offline_banner.isVisible()
    table = window.sync_panel.table
    assert table.rowCount() == 1 and "市府拒收此筆資料" in table.item(0, 4).text()  # words, not the raw code
    table.selectRow(0)
    window.sync_panel.resend_button.click()  # queued again, and sent at once (the city refuses it again)
    qtbot.waitUntil(lambda: services.ledger.outbox.counts()["pending"] == 0 and not window.runner.busy)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "需處理 1 件" in window.sync_panel.counts_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: not window.runner.busy)
    window.sync_panel.refresh()
    settle(qtbot, window)
    window.sync_panel._ask_reason = lambda _parent: "申請人改以紙本申請"
    table.selectRow(0)
    window.sync_panel.withdraw_button.click()
    settle(qtbot, window)
    # The case and anything queued for it (its deferred verification) are withdrawn together.
    assert "需處理 0 件" in window.sync_panel.counts_label.text() and table.rowCount() == 0
    assert services.ledger.outbox.counts()["withdrawn"] >= 1


def test_cases_taken_offline_are_verified_when_the_network_returns(
    qtbot: QtBot,
    window: MainWindow,
    services: Services,
    city: EmbeddedServer,
    senior: Resident,
    senior_elsewhere: Resident,
) -> None:
    from cityserver.db import CaseUpdateRow

    choose(qtbot, window, "SW-05")
    city.stop()
    for person in (senior, senior_elsewhere):
        fill(qtbot, window, person, PHONE)
        verify(qtbot, window)
        accept(qtbot, window)
        qtbot.keyClick(window.intake.next_citizen_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.runner.busy)
    city.start()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.sync_panel.reverified.isVisible(), timeout=10_000)
    text = window.sync_panel.reverified.text()
    assert "符合資格" in text and "不符資格" in text and "戶籍不在桃園市" in text
    qtbot.waitUntil(lambda: not window.runner.busy and services.ledger.outbox.counts()["pending"] == 0, timeout=10_000)
    with city.app.state.session_factory() as s:
        assert s.query(CaseUpdateRow).count() == 2


def test_idle_lock_covers_the_window_until_the_password(
    qtbot: QtBot, services: Services, open_window: Callable[[], MainWindow]
) -> None:
    from PySide6.QtGui import QColor

    from desktop.views.idle_lock import COVER
    from tests.conftest import PASSWORD

    services.idle_lock_s = 0.3
    services.unlock = lambda typed: typed == PASSWORD
    w = open_window()
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.idle_lock.is_locked, timeout=5_000)
    assert w.idle_lock.password.hasFocus()
    # Opaque: of 640 pixels sampled over the whole window, those outside the prompt are the cover's colour.
    shot = w.grab().toImage()
    cover = QColor(COVER).rgb()
    points = [(shot.width() * (i + 0.5) / 32, shot.height() * (j + 0.5) / 20) for i in range(32) for j in range(20)]
    prompt = w.idle_lock.password.geometry().adjusted(-400, -120, 400, 80)
    outside = [(x, y) for x, y in points if not prompt.contains(int(x), int(y))]
    covered = sum(shot.pixel(int(x), int(y)) == cover for x, y in outside)
    assert len(outside) > 400 and covered == len(outside), (covered, len(outside))
    qtbot.keyClick(w.idle_lock.password, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert not w.service_list.search_edit.hasFocus()  # shortcuts do not act behind the cover
    qtbot.keyClicks(w.idle_lock.password, "wrong")
    qtbot.keyClick(w.idle_lock.password, Qt.Key.Key_Return)
    assert w.idle_lock.is_locked and "不正確" in w.idle_lock.message.text()
    qtbot.keyClicks(w.idle_lock.password, PASSWORD)
    qtbot.keyClick(w.idle_lock.password, Qt.Key.Key_Return)
    assert not w.idle_lock.is_locked
    w.idle_lock._idle_s = 600


def test_enrolment_then_login_in_the_background(qtbot: QtBot, city: EmbeddedServer, tmp_path: Path) -> None:
    """First start of a production PC: the one-time code typed into the enrolment dialog, then the log-in."""
    from cityserver.devices import create_enrolment
    from desktop.bootstrap import connect, enrol
    from desktop.tasks import TaskRunner
    from desktop.views.enrol import EnrolDialog
    from desktop.views.login import LoginDialog
    from sync.city.client import Credentials
    from sync.ledger.secrets import KeyringSecretStore
    from tests.conftest import OFFICE, PASSWORD, USER

    runner = TaskRunner()
    data = tmp_path / "prod"
    code = create_enrolment(city.app.state.session_factory, OFFICE.code, "櫃台3", "chief").code
    enrolling = EnrolDialog(runner, lambda url, typed: enrol(data, url, typed, KeyringSecretStore()), server=city.url)
    qtbot.addWidget(enrolling)
    enrolling.show()
    qtbot.waitExposed(enrolling)
    enrolling.activateWindow()
    qtbot.waitUntil(enrolling.code_edit.hasFocus)
    qtbot.keyClicks(enrolling.code_edit, "WRONG-CODE-1234")
    qtbot.keyClick(enrolling.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "登記碼不正確" in enrolling.message.text(), timeout=10_000)
    enrolling.code_edit.clear()
    qtbot.keyClicks(enrolling.code_edit, code)
    qtbot.keyClick(enrolling.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: enrolling.result_value is not None, timeout=10_000)
    enrolled, identity = enrolling.result_value
    assert enrolled.office.code == OFFICE.code and identity.device_id.startswith("D")

    dialog = LoginDialog(runner, lambda u, p: connect(data, city.url, Credentials(u, p)), username=USER)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.password_edit.hasFocus)
    qtbot.keyClicks(dialog.password_edit, "not-the-password")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "密碼不正確" in dialog.message.text(), timeout=10_000)
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10_000)
    services = dialog.result_value
    assert services.signed_in == "online" and not services.practice and services.role == "clerk"
    assert services.device.device_id == identity.device_id
    services.close()
    runner.shutdown()


def test_a_set_aside_case_is_corrected_and_sent_again(
    qtbot: QtBot, window: MainWindow, services: Services, city: EmbeddedServer, senior: Resident
) -> None:
    import json

    from cityserver.db import CaseRow
    from tests.fakes.tamper import break_checksum

    take_offline(qtbot, window, city, senior)
    old, _ = accept(qtbot, window)
    qtbot.waitUntil(lambda: not window.runner.busy)
    rewrite_first_payload(services.ledger, break_checksum)  # what reached the queue is wrong
    city.start()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: services.ledger.outbox.counts()["attention"] == 1, timeout=10_000)
    qtbot.waitUntil(lambda: not window.runner.busy)
    window.sync_panel.refresh()
    settle(qtbot, window)
    window.sync_panel.table.selectRow(0)
    window.sync_panel.correct_button.click()
    settle(qtbot, window)
    form = window.intake.form
    assert form.id_edit.text() == senior.national_id and "更正案件" in window.intake.message_label.text()
    form.consent_box.setChecked(True)
    verify(qtbot, window)
    new, _ = accept(qtbot, window)
    assert new.case_number != old.case_number
    qtbot.waitUntil(lambda: services.ledger.outbox.counts()["pending"] == 0 and not window.runner.busy, timeout=10_000)
    counts = services.ledger.outbox.counts()
    assert counts["withdrawn"] >= 1 and counts["attention"] == 0  # the case and any update queued for it
    with city.app.state.session_factory() as s:
        (held,) = s.query(CaseRow).all()
    assert json.loads(held.payload)["supersedes"] == str(old.case_uuid)


def test_day_close_is_a_supervisors_task(services: Services, open_window: Callable[[], MainWindow]) -> None:
    services.role = "clerk"
    w = open_window()
    assert not w.dayclose_action.isEnabled()
    w.close_day()
    assert "主管" in w.statusBar().currentMessage() and w.last_dayclose is None


def test_reprint_is_marked_and_leaves_the_original(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    case, original = accept(qtbot, window)
    before = original.read_bytes()
    qtbot.waitUntil(lambda: not window.runner.busy)
    window.sync_panel.refresh()
    settle(qtbot, window)
    window.sync_panel.cases_table.selectRow(0)
    window.sync_panel.reprint_button.click()
    qtbot.waitUntil(lambda: window.last_receipt is not None and "補印" in window.last_receipt.name, timeout=10_000)
    copy = window.last_receipt
    assert copy is not None and copy.name == f"{case.case_number}-補印1.pdf"
    text = pdf_text(copy)
    assert "補印" in text and case.case_number in text and "115年11月20日 10:30" in text
    assert original.read_bytes() == before and "補印" not in pdf_text(original)


def test_cases_are_found_by_id_or_name_on_the_sync_page(
    qtbot: QtBot, window: MainWindow, senior: Resident, young: Resident
) -> None:
    for person in (senior, young):
        choose(qtbot, window, "SW-05")
        fill(qtbot, window, person, PHONE)
        verify(qtbot, window)
        accept(qtbot, window)
        qtbot.keyClick(window.intake.next_citizen_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.runner.busy)
    panel = window.sync_panel
    qtbot.keyClick(window, Qt.Key.Key_F8)
    for query in (young.national_id.lower(), young.name):
        panel.search_edit.setText(query)
        qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
        settle(qtbot, window)
        assert panel.cases_table.rowCount() == 1
        assert panel.cases_table.item(0, 2).text().startswith(young.name[0])
    panel.search_edit.clear()
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert panel.cases_table.rowCount() == 2


def test_an_offered_benefit_says_why_and_opens_with_the_applicant(
    qtbot: QtBot, window: MainWindow, services: Services, dialogs: Dialogs, senior: Resident, tmp_path: Path
) -> None:
    """A senior applying for a 公益彩券 work certificate (SW-02) is offered 敬老愛心卡 with the reason; Enter on it
    opens SW-05 with the same ID, name and birth date, consent to be given again."""
    choose(qtbot, window, "SW-02")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    offers = [window.intake.benefits_list.item(i) for i in range(window.intake.benefits_list.count())]
    matches = [o for o in offers if o.text().startswith("5. 敬老愛心卡")]
    assert len(matches) == 1, [o.text() for o in offers]
    card = matches[0]
    assert "（符合：年滿65歲（" in card.text()
    assert not any(o.text().startswith(("21.", "22.", "23.", "24.")) and "（符合" in o.text() for o in offers)
    window.grab().save(str(tmp_path / "benefits.png"))
    window.grab().save("/tmp/show/benefits.png") if Path("/tmp/show").is_dir() else None
    window.intake.benefits_list.setFocus()
    window.intake.benefits_list.setCurrentItem(card)
    qtbot.keyClick(window.intake.benefits_list, Qt.Key.Key_Return)
    assert dialogs.questions and "敬老愛心卡" in dialogs.questions[-1]
    assert window.intake.step == 0 and "敬老愛心卡" in window.intake.service_label.text()
    assert window.intake.form.id_edit.text().upper() == senior.national_id  # as typed (fill() types it in lower case)
    assert window.intake.form.name_edit.text() == senior.name
    assert not window.intake.form.consent_box.isChecked()


def test_the_next_citizen_starts_at_a_clean_desk(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    """After a receipt, the next citizen sees no trace of the last one: the preview is empty and Ctrl+P prints
    nothing; consent ticked for one service is not carried to another."""
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    accept(qtbot, window)
    assert window.shown_pdf is not None
    qtbot.keyClick(window.intake.next_citizen_button, Qt.Key.Key_Return)
    assert window.shown_pdf is None and window.pdf_doc.pageCount() == 0
    window.intake.form.consent_box.setChecked(True)
    choose(qtbot, window, "SW-02")
    assert not window.intake.form.consent_box.isChecked()


def test_arrow_keys_in_the_search_box_move_the_list(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    box = window.service_list.search_edit
    type_text(qtbot, box, "CA-")
    listed = window.service_list.list
    assert listed.count() >= 3 and listed.currentRow() == 0
    qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert listed.currentRow() == 1 and box.hasFocus()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert "CA-07" in window.intake.service_label.text()  # the second of CA-06, CA-07, …
    assert box.accessibleName() == "搜尋申辦項目" and listed.accessibleName() == "申辦項目清單"


def test_the_window_fits_the_screen_it_opens_on(window: MainWindow) -> None:
    """The offscreen test screen (800×600) is smaller than the preferred 1280×800: maximised, within the screen."""
    room = window.screen().availableGeometry()
    assert room.width() < 1320 and bool(window.windowState() & Qt.WindowState.WindowMaximized)
    assert window.width() <= room.width() and window.height() <= room.height()
