"""The public progress page read as a citizen reads it: every row of the table, each status in words, what it says
about a revoked device and exactly where a revocation stops a receipt, the pages of a refusal and of too many
look-ups, and the headers that keep a shared browser from caching any of it. Expected texts are written here by
hand from the fixture (the case as pushed, the catalog's name of SW-05, the ROC date of the day)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import update

from cityserver.db import CaseRow, DeviceKeyRow, DeviceRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from cityserver.track import STYLE
from forms.clock import TAIPEI
from forms.rocdate import format_roc
from sync.protocol import wire
from sync.protocol.receipt_signing import ReceiptSigner, short_code
from tests.conftest import OFFICE, PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, token_for
from tests.fakes.wire_cases import AT, case_for

pytestmark = pytest.mark.integration

HEAD = (
    '<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
)
ARRIVED = AT + timedelta(seconds=5)  # when the city received the case (what a revocation is compared with)
REFUSED = "<h1>無法驗證此收據</h1><p>此查詢碼無法驗證。請確認為本市區公所開立之收據，或洽詢承辦單位。</p>"


@pytest.fixture
def pushed(city: EmbeddedServer, population: list[Resident]) -> tuple[wire.CaseIn, Resident]:
    person = population[0]
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", person.national_id, 1)
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    assert clerk.push("cases", [case])[0]["status"] == "accepted"
    with city.app.state.session_factory.begin() as s:  # the city's own arrival time, fixed for the test
        s.execute(update(CaseRow).where(CaseRow.case_uuid == str(case.case_uuid)).values(received_at=ARRIVED))
    return case, person


def by_signature(city: EmbeddedServer, case: wire.CaseIn) -> requests.Response:
    sig = ReceiptSigner(TEST_DEVICE.receipt).sign(case.case_number, case.receipt_number)
    return requests.get(f"{city.url}/track/{case.case_number}", params={"sig": sig}, timeout=5)


def by_code(city: EmbeddedServer, case: wire.CaseIn) -> requests.Response:
    code = short_code(str(case.case_uuid), case.case_number)
    return requests.get(f"{city.url}/track", params={"case": case.case_number, "code": code}, timeout=5)


def table(page: requests.Response) -> dict[str, str]:
    return {
        html.unescape(k): html.unescape(v) for k, v in re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", page.text)
    }


def steps(page: requests.Response) -> list[tuple[str, str]]:
    found = re.findall(r'<li><time datetime="[0-9-]+">(.*?)</time>(.*?)</li>', page.text)
    return [(html.unescape(day), html.unescape(words)) for day, words in found]


def today_roc() -> str:
    """The city stamps steps with its own clock (the test's real today, in Taipei)."""
    return format_roc(datetime.now(TAIPEI).date())


def revoke(city: EmbeddedServer, device_at: datetime | None = None, key_at: datetime | None = None) -> None:
    with city.app.state.session_factory.begin() as s:
        if device_at is not None:
            s.execute(
                update(DeviceRow).where(DeviceRow.device_id == TEST_DEVICE.device_id).values(revoked_at=device_at)
            )
        if key_at is not None:
            s.execute(
                update(DeviceKeyRow).where(DeviceKeyRow.device_id == TEST_DEVICE.device_id).values(revoked_at=key_at)
            )


@pytest.mark.parametrize("look_up", [by_signature, by_code], ids=["QR signature", "typed code"])
def test_the_page_of_a_genuine_receipt(
    city: EmbeddedServer, pushed: tuple[wire.CaseIn, Resident], look_up: Callable[..., requests.Response]
) -> None:
    case, person = pushed
    page = look_up(city, case)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert table(page) == {
        "案件編號": case.case_number,
        "申辦項目": "敬老愛心卡",
        "申請人": f"{person.national_id[:6]}****",
        "收件日期": "115年11月20日",
        "收件單位": "桃園市桃園區公所",
        "承辦單位": "桃園市桃園區公所（電話 03-0001-0101）",  # the sandbox directory's practice number
        "辦理狀態": "已收件，等待承辦",
        "預定完成": "依承辦單位通知",  # the fixture's case promises no date
    }
    title = f"<title>案件辦理進度</title>{STYLE}</head><body><h1>案件辦理進度</h1>"
    assert page.text.startswith(HEAD + title)
    assert steps(page) == [(today_roc(), "收件")]
    assert person.name not in page.text and person.national_id not in page.text


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("收件", "已收件，等待承辦"),
        ("已轉送", "已轉送戶籍地區公所辦理"),
        ("審核中", "審核中"),
        ("補件", "需補件，請於期限內補齊下列文件"),
        ("核准", "已核准"),
        ("駁回", "未核准（駁回），詳見書面通知"),
        ("撤回", "已撤回（收據作廢）"),
        ("結案歸檔", "結案歸檔"),  # a status this version has no words for is shown as the city wrote it
    ],
)
def test_each_status_in_words(
    city: EmbeddedServer, pushed: tuple[wire.CaseIn, Resident], status: str, shown: str
) -> None:
    case, _ = pushed
    with city.app.state.session_factory.begin() as s:
        s.execute(update(CaseRow).where(CaseRow.case_uuid == str(case.case_uuid)).values(status=status))
    assert table(by_signature(city, case))["辦理狀態"] == shown


def refused_page(page: requests.Response) -> bool:
    expected = HEAD + f"<title>無法驗證此收據</title>{STYLE}</head><body>" + REFUSED + "</body></html>"
    return (page.status_code, page.text) == (404, expected)


def shows_cut_off(page: requests.Response, day: str | None) -> None:
    """None: refused; "": the page as usual (no cut-off); a ROC date: the page says the device stopped that day."""
    if day is None:
        assert refused_page(page)
        return
    rows = table(page)
    assert page.status_code == 200 and rows["辦理狀態"] == "已收件，等待承辦"
    if day:
        assert rows["收據設備"] == f"開立之設備已於{day}停用；本收據於停用前送達市府，仍屬有效"
    else:
        assert "收據設備" not in rows


QR, TYPED = by_signature, by_code


@pytest.mark.parametrize(
    ("look_up", "device_cut", "key_cut", "shown_day"),
    [
        (QR, ARRIVED + timedelta(seconds=1), None, "115年11月20日"),  # received a second before the device was cut off
        (QR, ARRIVED + timedelta(hours=14, minutes=30), None, "115年11月21日"),  # 16:30 UTC is the 21st in Taipei
        (QR, ARRIVED + timedelta(days=3), ARRIVED + timedelta(seconds=1), "115年11月20日"),  # the earlier of the two
        (QR, ARRIVED + timedelta(seconds=1), ARRIVED + timedelta(days=3), "115年11月20日"),
        (QR, None, ARRIVED + timedelta(days=1), "115年11月21日"),  # only the key (the device lives on)
        (QR, ARRIVED, None, None),  # revoked at the very moment the case arrived: not before it
        (QR, ARRIVED - timedelta(seconds=1), None, None),
        (QR, ARRIVED + timedelta(days=3), AT, None),  # the key went first
        (QR, None, ARRIVED - timedelta(days=1), None),
        (TYPED, ARRIVED + timedelta(seconds=1), None, "115年11月20日"),
        (TYPED, ARRIVED + timedelta(hours=14, minutes=30), None, "115年11月21日"),
        (TYPED, ARRIVED, None, None),
        (TYPED, ARRIVED - timedelta(seconds=1), None, None),
        (TYPED, None, ARRIVED - timedelta(days=1), ""),  # a typed code involves no key: a revoked key changes nothing
    ],
)
def test_a_revocation_keeps_only_the_receipts_the_city_had_before_it(
    city: EmbeddedServer,
    pushed: tuple[wire.CaseIn, Resident],
    look_up: Callable[..., requests.Response],
    device_cut: datetime | None,
    key_cut: datetime | None,
    shown_day: str | None,
) -> None:
    case, _ = pushed
    revoke(city, device_cut, key_cut)
    shows_cut_off(look_up(city, case), shown_day)


def test_a_refusal_and_too_many_look_ups_are_pages_too(
    city: EmbeddedServer, pushed: tuple[wire.CaseIn, Resident]
) -> None:
    case, _ = pushed
    refused = requests.get(f"{city.url}/track/{case.case_number}", params={"sig": "x.y"}, timeout=5)
    assert (refused.status_code, refused.headers["Cache-Control"]) == (404, "no-store")
    assert refused_page(refused)
    for _ in range(40):
        last = requests.get(f"{city.url}/track/{case.case_number}", params={"sig": "x.y"}, timeout=5)
        if last.status_code == 429:
            break
    assert (last.status_code, last.headers["Cache-Control"]) == (429, "no-store")
    assert (
        last.text
        == HEAD
        + f"<title>查詢過於頻繁</title>{STYLE}</head><body><h1>查詢過於頻繁</h1><p>請稍後再試。</p></body></html>"
    )
    assert by_signature(city, case).status_code == 429  # a genuine receipt too: the limit is per address
