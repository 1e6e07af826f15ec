"""案件處理 in the window, against a real city: 中壢區 receives a 跨區收件 case for a resident of 桃園區 (this
window's office), overdue by the fixture's day; the supervisor is warned on start, opens Ctrl+K, sees the case with
the office that took it, asks for a document (補件, with this office's 補正期限 offered), and approves it once the
paper came; the city holds each step, by this supervisor. The step dialog is finished by keyboard and says what is
missing without closing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt, QTimer

from cityserver.app import add_user
from cityserver.db import CaseArrivalRow, CaseStepRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from desktop.views.arrival_dialog import ArrivalDialog
from desktop.views.cases_page import PAPERS
from desktop.views.step_dialog import StepDialog, StepRequest
from forms.casesteps import Step, check_step
from forms.errors import ValidationError
from forms.messages import text
from forms.rocdate import format_roc
from tests.conftest import OFFICE
from tests.desktop.conftest import type_text
from tests.fakes.devices import Api, enrol, token_for
from tests.fakes.wire_cases import case_for

OTHER_OFFICE = "68000020"  # 中壢區
TODAY = date(2026, 11, 20)  # the fixture's clock (Fri)


@pytest.fixture
def forwarded(city: EmbeddedServer, population: list[Resident]) -> str:
    """A 跨區收件 case (SW-14) taken at 中壢區 on 11-13 for a resident of 桃園區, due Wed 11-18: by Fri 11-20 it is
    late by two working days (Thu, Fri). Returns its number."""
    person = next(r for r in population if r.district_code == OFFICE.code)
    add_user(city.app.state.session_factory, "zhongli", "zhongli-pw-1", OTHER_OFFICE, "clerk")
    device = enrol(city, OTHER_OFFICE)
    api = Api(city, token_for(city, device, "zhongli", "zhongli-pw-1"))
    case = case_for(device, OTHER_OFFICE, "SW-14", person.national_id, 1, clerk="中壢承辦",
                    due_date=date(2026, 11, 18), documents_owed=["最近6個月2吋照片"])  # fmt: skip
    assert [a["status"] for a in api.push("cases", [case])] == ["accepted"]
    return case.case_number


def test_the_office_decides_a_case_another_office_took(
    qtbot: QtBot,
    services: Services,
    open_window: Callable[[], MainWindow],
    city: EmbeddedServer,
    forwarded: str,
) -> None:
    asked: list[StepRequest] = []
    later = date.today() + timedelta(days=20)  # after the city's own today (the fixture's clock is earlier)
    answers = {
        "補件": lambda _r: Step("補件", "請補戶口名簿影本", ("戶口名簿影本",), later),
        "核准": lambda _r: Step("核准", "資料齊全"),
    }

    def dialog(_parent: object, request: StepRequest) -> Step | None:
        asked.append(request)
        return request.check(answers[request.status](request))

    w = open_window()
    w._ask_step = dialog
    # 逾期預警 on start, for the supervisor.
    qtbot.waitUntil(lambda: w.overdue_label.isVisible(), timeout=10_000)
    assert w.overdue_label.text() == "⚠ 逾期 1 件、2 個工作天內到期 0 件（Ctrl+K 案件處理）"

    qtbot.keyClick(w, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    page = w.cases_page
    assert page is not None
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
    cells = [page.table.item(0, c).text() for c in range(page.table.columnCount())]
    assert cells == [
        "逾期 2 個工作天", "115年11月18日", forwarded, "全民健康保險第六類轉出", cells[4],
        "桃園市中壢區公所（跨區收件）", "中壢承辦", "已轉送", "最近6個月2吋照片", "—",
    ]  # fmt: skip
    assert page.summary.text() == "逾期 1 件（中壢承辦 1）、2 個工作天內到期 0 件、待補件 0 件；跨區收件 1 件；共 1 件"

    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_2)  # 補件
    qtbot.waitUntil(lambda: "已通知補件" in page.status.text(), timeout=10_000)
    # Offered: the paper owed at intake, and 7 working days from Fri 11-20 (the sandbox directory): Tue 12-01.
    assert (asked[0].owed, asked[0].owed_by) == (("最近6個月2吋照片",), date(2026, 12, 1))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and page.table.item(0, 7).text() == "補件", timeout=10_000)
    assert page.table.item(0, 0).text() == f"待補件（至 {format_roc(later)}）"  # waiting for the citizen: not late
    assert page.table.item(0, 8).text() == "戶口名簿影本"

    qtbot.keyClick(page.table, Qt.Key.Key_3)  # 核准
    qtbot.waitUntil(lambda: "已核准" in page.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=10_000)
    assert not w.overdue_label.isVisible()
    with city.app.state.session_factory() as s:
        steps = s.scalars(select(CaseStepRow).order_by(CaseStepRow.seq)).all()
        assert [(r.status, r.by, json.loads(r.owed), r.owed_by) for r in steps] == [
            ("補件", services.intake.clerk, ["戶口名簿影本"], later),
            ("核准", services.intake.clerk, [], None),
        ]


def show(qtbot: QtBot, dialog: StepDialog) -> None:
    """Shown and active, as a dialog the clerk is typing in (its Ctrl+Enter is a window shortcut)."""
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)


def test_the_step_dialog_is_finished_by_keyboard_and_keeps_what_was_typed(qtbot: QtBot) -> None:
    request = StepRequest(
        "補件", "68000010-D0001-1151120-0001", (), date(2026, 12, 1), lambda s: check_step("收件", s, TODAY)
    )
    dialog = StepDialog(None, request)
    qtbot.addWidget(dialog)
    show(qtbot, dialog)
    qtbot.keyClick(dialog.owed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # nothing listed yet
    assert dialog.answer is None and dialog.isVisible() and "應補文件" in dialog.problem.text()
    type_text(qtbot, dialog.owed, "戶口名簿影本")
    qtbot.keyClick(dialog.owed, Qt.Key.Key_Tab)  # Tab leaves the box for the date
    assert dialog.owed_by.hasFocus() and dialog.owed.toPlainText() == "戶口名簿影本"
    dialog.owed_by.selectAll()
    type_text(qtbot, dialog.owed_by, "115/11/20")  # today: too early
    qtbot.keyClick(dialog.owed_by, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.answer is None and dialog.problem.text() == "補正期限須晚於今天。"
    dialog.owed_by.selectAll()
    type_text(qtbot, dialog.owed_by, "1151204")
    qtbot.keyClick(dialog.owed_by, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.answer == Step("補件", "", ("戶口名簿影本",), date(2026, 12, 4))
    assert dialog.result() == StepDialog.DialogCode.Accepted


def test_a_rejection_needs_a_reason_the_citizen_can_be_told(qtbot: QtBot) -> None:
    request = StepRequest("駁回", "案件", check=lambda s: check_step("審核中", s, TODAY))
    dialog = StepDialog(None, request)
    qtbot.addWidget(dialog)
    show(qtbot, dialog)
    assert dialog.note.hasFocus() and not dialog.owed.isVisibleTo(dialog)
    type_text(qtbot, dialog.note, "不符")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.answer is None and "至少 5 個字" in dialog.problem.text()
    type_text(qtbot, dialog.note, "合規定，戶籍不在本市")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.answer == Step("駁回", "不符合規定，戶籍不在本市")


SENT = ("申請表", "身分證正本（驗畢發還）", "診斷書或輔具評估報告書（3個月內）")  # ticked 已驗 at 中壢區
DIAGNOSIS = SENT[2]


@pytest.fixture
def with_paper(city: EmbeddedServer, population: list[Resident]) -> str:
    """A 跨區收件 SW-18 case taken at 中壢區 for a resident of 桃園區, with three papers checked at its counter (the
    ID card handed back, so two travel). Returns its number."""
    person = next(r for r in population if r.district_code == OFFICE.code)
    add_user(city.app.state.session_factory, "zhongli", "zhongli-pw-1", OTHER_OFFICE, "clerk")
    device = enrol(city, OTHER_OFFICE)
    api = Api(city, token_for(city, device, "zhongli", "zhongli-pw-1"))
    case = case_for(device, OTHER_OFFICE, "SW-18", person.national_id, 1, clerk="中壢承辦", due_date=date(2027, 1, 20))
    terms = {"promise": "due", "limit_value": 2, "limit_unit": "months", "limit_source": "§51",
             "limit_basis": "行政程序法第51條", "due_date": "2027-01-20", "fee": 0, "owed": [],
             "shown": list(SENT)}  # fmt: skip
    pushed = api.post("/api/v1/cases:batch", {"cases": [{**case.model_dump(mode="json"), "terms": terms}]})
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "accepted", pushed.text
    return case.case_number


def test_paper_sent_on_is_marked_in_the_window_and_approval_waits_for_it(
    qtbot: QtBot, open_window: Callable[[], MainWindow], city: EmbeddedServer, with_paper: str
) -> None:
    refused: list[str] = []

    def dialog(_parent: object, request: StepRequest) -> Step | None:
        try:
            return request.check(Step(request.status, "資料齊全"))
        except ValidationError as exc:  # what the real dialog shows under its fields
            refused.append(text(exc.code, **exc.params))
            return None

    w = open_window()
    w._ask_step = dialog
    qtbot.keyClick(w, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    page = w.cases_page
    assert page is not None
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
    assert page.table.item(0, PAPERS).text() == f"申請表 寄送中、{DIAGNOSIS} 寄送中"
    assert page.detail.text().endswith(
        f"（跨區收件）　承辦：中壢承辦　狀態：已轉送　隨案文件：申請表 寄送中、{DIAGNOSIS} 寄送中"
    )
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_3)  # 核准: not on paper that is not here
    assert refused == [f"收件公所寄送的文件尚未到件（申請表、{DIAGNOSIS}），到件登錄後才能核准。"]

    # 5: the real 到件登錄 dialog — the diagnosis did not come with this exchange.
    seen: list[str] = []

    def in_the_dialog(act: Callable[[ArrivalDialog], None]) -> None:
        tries = [0]

        def run() -> None:  # from inside the dialog's exec(): it is closed whatever happens
            shown = [d for d in page.findChildren(ArrivalDialog) if d.isVisible()]
            if not shown and tries[0] < 300:  # the key press has not opened it yet
                tries[0] += 1
                QTimer.singleShot(10, run)
                return
            if len(shown) != 1:
                seen.append(f"{len(shown)} dialogs")
                for d in shown:
                    d.reject()
                return
            (arrival,) = shown
            try:
                arrival.activateWindow()
                qtbot.waitUntil(arrival.isActiveWindow, timeout=2_000)
                act(arrival)
            except Exception as exc:  # reported through `seen`, after exec() returns
                seen.append(repr(exc))
            finally:
                if arrival.isVisible():
                    seen.append("left open")
                    arrival.reject()

        QTimer.singleShot(0, run)

    def mark_missing(arrival: ArrivalDialog) -> None:
        seen.append("、".join(arrival.papers.item(r).text() for r in range(arrival.papers.count())))
        arrival.papers.setCurrentRow(1)
        qtbot.keyClick(arrival.papers, Qt.Key.Key_Space)  # untick the diagnosis
        arrival.missing.setChecked(True)
        qtbot.keyClick(arrival.papers, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # no reason yet
        seen.append(arrival.problem.text())
        type_text(qtbot, arrival.note, "本批公文交換未附，已電洽中壢區")
        qtbot.keyClick(arrival.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    in_the_dialog(mark_missing)
    qtbot.keyClick(page.table, Qt.Key.Key_5)
    assert seen == [f"申請表、{DIAGNOSIS}", "未到件請寫明情形（至少 5 個字），以便收件公所追查"]
    qtbot.waitUntil(lambda: "已登錄到件" in page.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "已到件" in page.table.item(0, PAPERS).text(), timeout=10_000)
    assert page.table.item(0, PAPERS).text() == f"申請表 已到件、{DIAGNOSIS} 未到件"

    def all_here(arrival: ArrivalDialog) -> None:
        seen.append(arrival.papers.item(0).text())
        arrival.submit()  # the one left, ticked

    in_the_dialog(all_here)
    page.activateWindow()  # offscreen Qt does not hand focus back when a dialog closes
    qtbot.waitUntil(page.isActiveWindow, timeout=2_000)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_5)
    assert seen[2:] == [f"{DIAGNOSIS}（未到件：本批公文交換未附，已電洽中壢區）"]
    qtbot.waitUntil(lambda: page.table.item(0, PAPERS).text() == f"申請表 已到件、{DIAGNOSIS} 已到件", timeout=10_000)
    assert not page.arrival_button.isEnabled()
    page.activateWindow()  # offscreen Qt does not hand focus back when a dialog closes
    qtbot.waitUntil(page.isActiveWindow, timeout=2_000)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: "已核准" in page.status.text(), timeout=10_000)
    with city.app.state.session_factory() as s:
        marks = s.scalars(select(CaseArrivalRow).order_by(CaseArrivalRow.at)).all()
        assert [(json.loads(r.received), json.loads(r.missing)) for r in marks] == [
            (["申請表"], [DIAGNOSIS]), ([DIAGNOSIS], [])
        ]  # fmt: skip
