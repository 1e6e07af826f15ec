"""Cases after intake, against a real city (SQLite and PostgreSQL): a 跨區收件 case received at 桃園區 is decided at
the applicant's home office — in its queue with who took it and what was owed, 審核中 → 補件 (what, by when) → 審核中
→ 核准, each step once under its key, every step pulled back by the receiving office — and then leaves the queue; a
step that does not follow, a retry with other content and a step by the receiving office are refused."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from cityserver.app import add_user
from cityserver.db import CaseStepRow, StatusEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.clock import TAIPEI
from forms.rocdate import format_roc
from sync.protocol import wire
from sync.protocol.receipt_signing import short_code
from tests.conftest import OFFICE, PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, enrol, token_for
from tests.fakes.wire_cases import case_for

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx
HOME_CLERK, HOME_PASSWORD = "home-clerk", "home-pw-1"
LATER = (datetime.now(UTC) + timedelta(days=20)).date()  # a 補正 date after the city's today


@pytest.fixture
def world(city: EmbeddedServer, population: list[Resident]) -> tuple[Api, Api, Resident, wire.CaseIn]:
    """The receiving clerk (桃園區), the home office's clerk, the applicant, and their 跨區收件 case (SW-14) with
    a photo still owed, pushed by the receiving clerk."""
    home = next(r for r in population if r.city_code == OFFICE.city_code and r.district_code != OFFICE.code)
    receiving = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    add_user(city.app.state.session_factory, HOME_CLERK, HOME_PASSWORD, home.district_code, "clerk")
    deciding = Api(city, token_for(city, enrol(city, home.district_code), HOME_CLERK, HOME_PASSWORD))
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-14", home.national_id, 1, clerk="林承辦",
                    due_date=date(2027, 1, 20), documents_owed=["最近6個月2吋照片"])  # fmt: skip
    assert [a["status"] for a in receiving.push("cases", [case])] == ["accepted"]
    return receiving, deciding, home, case


def step(api: Api, case: wire.CaseIn, status: str, key: uuid.UUID | None = None, **more: Any) -> Any:
    body = {"step_uuid": str(key or uuid.uuid4()), "status": status, **more}
    return api.post(f"/api/v1/cases/{case.case_uuid}/steps", body)


def test_a_forwarded_case_is_decided_at_home_and_followed_by_the_office_that_took_it(
    city: EmbeddedServer, world: tuple[Api, Api, Resident, wire.CaseIn]
) -> None:
    receiving, deciding, home, case = world
    (queued,) = deciding.get("/api/v1/queue").json()["cases"]
    assert (queued["case_number"], queued["received_by"], queued["clerk"], queued["holder"]) == (
        case.case_number, OFFICE.code, "林承辦", "林承辦"
    )  # fmt: skip
    assert (queued["status"], queued["due_date"], queued["owed"], len(queued["history"])) == (
        "已轉送", "2027-01-20", ["最近6個月2吋照片"], 1
    )  # fmt: skip
    assert queued["history"][0]["status"] == "已轉送" and queued["history"][0]["by"] == "林承辦"
    assert queued["id_masked"] == home.national_id[:6] + "****"
    assert receiving.get("/api/v1/queue").json()["cases"] == []  # the receiving office does not decide it

    assert step(deciding, case, "審核中").status_code == 200
    asked = step(deciding, case, "補件", note="請補戶口名簿影本", owed=["戶口名簿影本"], owed_by=LATER.isoformat())
    assert asked.status_code == 200, asked.text
    assert (asked.json()["owed"], asked.json()["owed_by"]) == (["戶口名簿影本"], LATER.isoformat())
    (queued,) = deciding.get("/api/v1/queue").json()["cases"]
    assert (queued["status"], queued["owed"], queued["owed_by"], queued["holder"]) == (
        "補件", ["戶口名簿影本"], LATER.isoformat(), HOME_CLERK
    )  # fmt: skip
    assert [(m["status"], m["by"]) for m in queued["history"]] == [
        ("已轉送", "林承辦"), ("審核中", HOME_CLERK), ("補件", HOME_CLERK)
    ]  # fmt: skip
    assert step(deciding, case, "審核中").status_code == 200
    assert step(deciding, case, "核准", note="已轉出").status_code == 200
    assert deciding.get("/api/v1/queue").json()["cases"] == []

    # The receiving office's devices follow every step, with what was owed.
    changes = receiving.get("/api/v1/status-changes", params={"since": 0}).json()["changes"]
    assert [(c["status"], c["owed"], c["owed_by"]) for c in changes] == [
        ("已轉送", [], None),
        ("審核中", [], None),
        ("補件", ["戶口名簿影本"], LATER.isoformat()),
        ("審核中", [], None),
        ("核准", [], None),
    ]
    # Decided: no step follows; and the receiving office could not have recorded one.
    closed = step(deciding, case, "駁回", note="資格不符不予受理")
    assert (closed.status_code, closed.json()["code"], closed.json()["detail"]) == (
        409, "step_invalid", "step_case_closed"
    )  # fmt: skip
    assert step(receiving, case, "審核中").status_code == 404
    with city.app.state.session_factory() as s:
        steps = s.scalars(select(CaseStepRow).order_by(CaseStepRow.seq)).all()
        assert [(r.status, r.by, r.office_code) for r in steps] == [
            (status, HOME_CLERK, home.district_code) for status in ("審核中", "補件", "審核中", "核准")
        ]


def test_a_step_is_recorded_once_under_its_key(
    city: EmbeddedServer, world: tuple[Api, Api, Resident, wire.CaseIn]
) -> None:
    _receiving, deciding, _home, case = world
    key = uuid.uuid4()
    first = step(deciding, case, "審核中", key, note="開始審核")
    again = step(deciding, case, "審核中", key, note="開始審核")  # the answer was lost: the device retries
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = step(deciding, case, "核准", key)  # the same key for another step: a bug or an attack
    assert (other.status_code, other.json()["code"]) == (409, "step_conflict")
    with city.app.state.session_factory() as s:
        events = s.scalars(select(StatusEventRow).where(StatusEventRow.case_uuid == str(case.case_uuid))).all()
        assert [e.status for e in events] == ["已轉送", "審核中"]


@pytest.mark.parametrize(
    ("status", "more", "detail"),
    [
        ("駁回", {"note": "不符"}, "step_reason_short"),
        ("補件", {"owed": ["照片"]}, "step_owed_missing"),
        ("補件", {"owed": ["照片"], "owed_by": "2020-01-02"}, "step_owed_past"),
        ("核准", {"owed": ["照片"]}, "step_owed_extra"),
    ],
)
def test_a_step_that_does_not_say_what_it_must_changes_nothing(
    city: EmbeddedServer, world: tuple[Api, Api, Resident, wire.CaseIn], status: str, more: dict[str, Any], detail: str
) -> None:
    _receiving, deciding, _home, case = world
    refused = step(deciding, case, status, **more)
    assert (refused.status_code, refused.json()["code"], refused.json()["detail"]) == (422, "step_invalid", detail)
    (queued,) = deciding.get("/api/v1/queue").json()["cases"]
    assert (queued["status"], len(queued["history"])) == ("已轉送", 1)


def track(city: EmbeddedServer, case: wire.CaseIn) -> str:
    code = short_code(str(case.case_uuid), case.case_number)
    page = requests.get(f"{city.url}/track", params={"case": case.case_number, "code": code}, timeout=5)
    assert page.status_code == 200
    return page.text


def rows(text_: str) -> dict[str, str]:
    return {html.unescape(k): html.unescape(v) for k, v in re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", text_)}


def test_the_citizen_follows_the_steps_on_the_track_page(
    city: EmbeddedServer, world: tuple[Api, Api, Resident, wire.CaseIn]
) -> None:
    _receiving, deciding, home, case = world
    today = format_roc(datetime.now(TAIPEI).date())
    first = rows(track(city, case))
    assert (first["收件單位"], first["辦理狀態"], first["預定完成"]) == (
        "桃園市桃園區公所", "已轉送戶籍地區公所辦理", "116年1月20日"
    )  # fmt: skip
    home_office = f"{home.city_name}{home.district_name}公所"
    assert first["承辦單位"].startswith(home_office + "（電話 03-0")  # the home office decides, and is called
    step(deciding, case, "補件", owed=["戶口名簿影本"], owed_by=LATER.isoformat())
    asked = track(city, case)
    shown = rows(asked)
    assert shown["辦理狀態"] == "需補件，請於期限內補齊下列文件"
    assert shown["補正期限"] == f"{format_roc(LATER)}前"
    assert shown["預定完成"] == "116年1月20日（補件期間不計，將依補件完成日順延）"  # from today: no day waited yet
    assert "<h2>請補齊下列文件</h2><ul><li>戶口名簿影本</li></ul>" in asked
    step(deciding, case, "駁回", note="申請人戶籍資料不符規定")
    done = track(city, case)
    assert rows(done)["辦理狀態"] == "未核准（駁回），詳見書面通知" and rows(done)["預定完成"] == "已辦結"
    assert "申請人戶籍資料不符規定" not in done  # the reason goes to the citizen in writing, not on a public page
    listed = re.findall(r'<li><time datetime="[0-9-]+">(.*?)</time>(.*?)</li>', done)
    assert listed == [(today, "轉送戶籍地區公所辦理"), (today, "通知補件"), (today, "未核准（駁回），理由詳見書面通知")]
    assert home.name not in done and home.national_id not in done


def test_a_case_past_its_date_says_so_on_the_track_page(
    city: EmbeddedServer, clerk_and_person: tuple[Api, Resident]
) -> None:
    api, person = clerk_and_person
    past = (datetime.now(UTC) - timedelta(days=15)).date()
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-17", person.national_id, 7, due_date=past)
    assert api.push("cases", [case])[0]["status"] == "accepted"
    page = track(city, case)
    assert '<p class="late">已逾預定完成日' in page and "請洽承辦單位" in page


@pytest.fixture
def clerk_and_person(city: EmbeddedServer, population: list[Resident]) -> tuple[Api, Resident]:
    person = next(r for r in population if r.district_code == OFFICE.code)
    return Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD)), person


def test_the_month_of_the_deciding_office_lists_the_case_with_its_history(
    city: EmbeddedServer, world: tuple[Api, Api, Resident, wire.CaseIn]
) -> None:
    _receiving, deciding, home, case = world
    step(deciding, case, "補件", owed=["戶口名簿影本"], owed_by=LATER.isoformat())
    step(deciding, case, "核准")
    add_user(city.app.state.session_factory, "home-chief", "home-chief-pw", home.district_code, "supervisor")
    chief = Api(city, token_for(city, enrol(city, home.district_code), "home-chief", "home-chief-pw"))
    assert deciding.get("/api/v1/monthly/2026-11-01/2026-11-30").status_code == 403  # a clerk: not the month
    month = chief.get("/api/v1/monthly/2026-11-01/2026-11-30").json()
    (held,) = month["cases"]
    assert (held["case_number"], held["received_by"], held["status"]) == (case.case_number, OFFICE.code, "核准")
    assert [m["status"] for m in held["history"]] == ["已轉送", "補件", "核准"]
    assert chief.get("/api/v1/monthly/2026-12-01/2026-12-31").json()["cases"] == []  # received in November, closed
    assert chief.get("/api/v1/monthly/2026-12-01/2026-11-01").status_code == 422
    assert chief.get("/api/v1/monthly/1800-01-01/1800-01-31").status_code == 422  # found by the fuzzer: was a 500


# -- paper sent on with a 跨區收件 case ---------------------------------------------------------------------------

SENT = ["申請表", "身分證正本（驗畢發還）", "診斷書或輔具評估報告書（3個月內）"]  # checked at 桃園區's counter
TRAVELS = ["申請表", "診斷書或輔具評估報告書（3個月內）"]  # the ID card was handed back (SW-18's catalog says so)


def arrive(api: Api, case: wire.CaseIn, key: uuid.UUID | None = None, **marks: Any) -> requests.Response:
    return api.post(f"/api/v1/cases/{case.case_uuid}/arrivals", {"arrival_uuid": str(key or uuid.uuid4()), **marks})


def papers(api: Api) -> list[tuple[str, str, str]]:
    (queued,) = api.get("/api/v1/queue").json()["cases"]
    return [(p["name"], p["state"], p["note"]) for p in queued["papers"]]


def test_paper_sent_on_is_marked_at_home_and_nothing_is_approved_before_it_arrives(
    city: EmbeddedServer, world: tuple[Api, Api, Resident, wire.CaseIn]
) -> None:
    receiving, deciding, home, _photo_case = world
    terms = {"promise": "due", "limit_value": 2, "limit_unit": "months", "limit_source": "§51",
             "limit_basis": "行政程序法第51條", "due_date": "2027-01-20", "fee": 0, "owed": [],
             "shown": SENT}  # fmt: skip
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-18", home.national_id, 2, due_date=date(2027, 1, 20))
    pushed = receiving.post("/api/v1/cases:batch", {"cases": [{**case.model_dump(mode="json"), "terms": terms}]})
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "accepted", pushed.text
    deciding.post(f"/api/v1/cases/{_photo_case.case_uuid}/steps",
                  {"step_uuid": str(uuid.uuid4()), "status": "駁回", "note": "非本所轄區居民，退回"})  # fmt: skip
    assert papers(deciding) == [(name, "寄送中", "") for name in TRAVELS]

    refused = step(deciding, case, "核准")
    assert (refused.status_code, refused.json()["detail"]) == (422, "step_papers_waiting")
    assert arrive(receiving, case, received=TRAVELS).status_code == 404  # the office that sent it cannot mark it

    for marks, detail in (
        ({}, "arrival_empty"),
        ({"received": ["身分證正本（驗畢發還）"]}, "arrival_unknown"),  # handed back at the counter, never sent
        ({"received": ["申請表"], "missing": ["申請表"], "note": "重複登錄測試"}, "arrival_twice"),
        ({"missing": ["申請表"], "note": "未到"}, "arrival_note_short"),
    ):
        answer = arrive(deciding, case, **marks)
        assert (answer.status_code, answer.json()["detail"]) == (422, detail), marks
    assert papers(deciding) == [(name, "寄送中", "") for name in TRAVELS]  # nothing changed

    key = uuid.uuid4()
    marks = {"received": ["申請表"], "missing": [TRAVELS[1]], "note": "公文交換未見診斷書，已電洽桃園區"}
    first = arrive(deciding, case, key, **marks)
    assert first.status_code == 200, first.text
    assert arrive(deciding, case, key, **marks).json() == first.json()  # a retry is the same marking
    assert arrive(deciding, case, key, received=TRAVELS).status_code == 409  # other content under the key
    assert papers(deciding) == [("申請表", "已到件", ""), (TRAVELS[1], "未到件", marks["note"])]
    again = arrive(deciding, case, missing=["申請表"], note="誤登到件，更正為未到")
    assert (again.status_code, again.json()["detail"]) == (422, "arrival_already")
    assert step(deciding, case, "核准").json()["detail"] == "step_papers_waiting"
    assert step(deciding, case, "審核中").status_code == 200  # review may start on what did arrive

    assert arrive(deciding, case, received=[TRAVELS[1]]).status_code == 200  # came with the next exchange
    assert papers(deciding) == [("申請表", "已到件", ""), (TRAVELS[1], "已到件", "")]
    assert step(deciding, case, "核准").status_code == 200
    with city.app.state.session_factory() as s:
        events = select(StatusEventRow.status).where(StatusEventRow.case_uuid == str(case.case_uuid))
        assert s.scalars(events).all() == ["已轉送", "審核中", "核准"]


def test_a_case_decided_where_it_was_taken_sends_no_paper(
    city: EmbeddedServer, world: tuple[Api, Api, Resident, wire.CaseIn], population: list[Resident]
) -> None:
    receiving, _deciding, _home, _case = world
    here = next(r for r in population if r.district_code == OFFICE.code)
    terms = {"promise": "due", "limit_value": 2, "limit_unit": "months", "limit_source": "§51",
             "limit_basis": "行政程序法第51條", "due_date": "2027-01-20", "fee": 0, "owed": [],
             "shown": SENT}  # fmt: skip
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-18", here.national_id, 3, due_date=date(2027, 1, 20))
    pushed = receiving.post("/api/v1/cases:batch", {"cases": [{**case.model_dump(mode="json"), "terms": terms}]})
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "accepted", pushed.text
    (mine,) = [q for q in receiving.get("/api/v1/queue").json()["cases"] if q["case_number"] == case.case_number]
    assert mine["papers"] == []
    assert arrive(receiving, case, received=["申請表"]).status_code == 404  # no 跨區收件: nothing to mark
