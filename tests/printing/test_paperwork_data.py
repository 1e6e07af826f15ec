"""What each paper says, field by field, before it is drawn: receipts of four kinds of service and the whole day
close of the hand-written day in tests/sync/test_dayclose_report.py. Every expected text is written here from the
facts of the fixture and the catalog (names, fees, time limits, documents) and from the sentences in
forms/messages.py, not produced by the code under test."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from types import SimpleNamespace
from uuid import UUID

import pytest

from desktop.paperwork import (
    _capped,
    clerk_fees_text,
    dayclose_data,
    fee_text,
    money,
    notice_data,
    office_hours,
    receipt_data,
    review_rows,
    status_text,
    track_url,
    void_slip_data,
)
from forms.catalog import load_catalog
from forms.clock import TAIPEI
from forms.dayclose import CashLine, ClerkLine, compute
from forms.dayfacts import CloseRecord, CorrectionRecord, VoidRecord
from forms.ids import parse_id
from forms.offices import OfficeContact, OfficeDirectory
from forms.terms import terms_of_earlier_case
from forms.timelimits import DueDate
from forms.types import Applicant, Outcome, RuleResult
from printing.notice import NoticeData
from printing.receipt import ReceiptData
from printing.report import Chart, ReportTable
from printing.void_slip import VoidSlipData
from sync.ledger import Device, SavedCase
from sync.ledger.reviews import ReviewLine
from sync.protocol import wire
from tests.conftest import OFFICE
from tests.fakes.catalogs import paid_catalog
from tests.sync.test_dayclose_report import C2, C4, C5, C6, DIGEST, FACTS, NEAR, held

DEVICE = Device(OFFICE, "D0007")
QR = "https://city.example/track/68000010-D0007-1151120-0001?sig=k.s"
SW01 = "身心障礙鑑定及身心障礙證明申請"
SW02 = "身心障礙者公益彩券工作能力證明"


def saved(service: str, **over: object) -> SavedCase:
    case = SavedCase(
        case_uuid=UUID("00000000-0000-4000-8000-000000000001"),
        case_number="68000010-D0007-1151120-0001",
        receipt_number="D0007-R0000041",
        service_code=service,
        id_masked="H12345****",
        applicant_name="歐陽小明",
        received_at=datetime(2026, 11, 20, 9, 5, tzinfo=TAIPEI),
        business_date=date(2026, 11, 20),
        clerk="amy",
        fee=0,
        payment_method="none",
        decision=Outcome.PASS,
        reasons=(RuleResult("identity_matches", Outcome.PASS, "identity_ok"),),
        status="已受理",
        sync_state="pending",
        fields={},
        due_date=None,
        documents_owed=(),
        override=None,
    )
    return replace(case, **over)  # type: ignore[arg-type]


def expected(**over: object) -> ReceiptData:
    base = ReceiptData(
        office_name="桃園市桃園區公所",
        case_number="68000010-D0007-1151120-0001",
        receipt_number="D0007-R0000041",
        service_name="",
        service_kind="跨區申辦（本所辦理）",
        name_masked="歐○○明",
        id_masked="H12345****",
        received_text="115年11月20日 09:05",
        due_text="",
        decision_text="符合資格（已受理）",
        reasons=(),
        fee_text="",
        clerk="amy",
        qr_payload=QR,
    )
    return replace(base, **over)  # type: ignore[arg-type]


def test_a_paid_overridden_receipt() -> None:
    """敬老愛心卡 at NT$80 (the office's catalog update), refused by the rules and taken on a supervisor's word; one
    reason given by two rules is printed once; a document the applicant still owes is not listed as replaced."""
    override = wire.Override(
        approval_id=UUID("00000000-0000-4000-8000-000000000009"),
        supervisor="chief-test",
        reason="本人已遷入本市",
        rules=["residence_in_city"],
    )
    elsewhere = {"city": "桃園市", "actual": "臺南市"}
    case = saved(
        "SW-05",
        fee=80,
        payment_method="cash",
        decision=Outcome.FAIL,
        reasons=(
            RuleResult("identity_matches", Outcome.PASS, "identity_ok"),
            RuleResult("residence_in_city", Outcome.FAIL, "residence_elsewhere", elsewhere),
            RuleResult("residence_since", Outcome.FAIL, "residence_elsewhere", elsewhere),
            RuleResult("disability_valid", Outcome.UNKNOWN, "household_unavailable"),
        ),
        documents_owed=("身心障礙證明（愛心卡）",),
        override=override,
    )
    assert receipt_data(case, paid_catalog(80), DEVICE, QR, practice=True) == expected(
        service_name="敬老愛心卡",
        # Let through by a supervisor: not handed over on the spot, so owed within §51's two months.
        due_text="待補文件補齊後辦理，處理期限 2 個月，依行政程序法第51條，補正期間不計",
        decision_text="不符資格（已受理）；經主管chief-test核准受理：本人已遷入本市",
        reasons=(
            "戶籍不在桃園市（目前設籍臺南市）。",
            "戶籍資料暫時無法查驗，本案將以「待查驗」受理，連線後再查。",
        ),
        fee_text="新臺幣 80 元（現金）",
        replaced_docs=("戶口名簿或戶籍謄本",),
        owed_docs=("身心障礙證明（愛心卡）",),
        practice=True,
    )


@pytest.mark.parametrize(
    ("service", "over", "printed"),
    [
        (  # 急難救助: 跨區收件, 7 (calendar) days, free without a note
            "SW-17",
            {"due_date": date(2026, 12, 1)},
            {"service_name": "急難救助", "service_kind": "跨區收件（轉戶籍地區公所辦理）",
             "due_text": "115年12月1日（處理期限 7 日，補正期間不計）", "fee_text": "免費",
             "replaced_docs": ("全戶戶籍謄本",)},
        ),
        (  # the same with no due date worked out yet: the limit alone
            "SW-17",
            {},
            {"service_name": "急難救助", "service_kind": "跨區收件（轉戶籍地區公所辦理）",
             "due_text": "處理期限 7 日，補正期間不計", "fee_text": "免費", "replaced_docs": ("全戶戶籍謄本",)},
        ),
        (  # 健保第六類轉出: no published time limit (§51's two months); free, premiums apart
            "SW-14",
            {},
            {"service_name": "全民健康保險第六類轉出", "service_kind": "跨區收件（轉戶籍地區公所辦理）",
             "due_text": "處理期限 2 個月，依行政程序法第51條，補正期間不計", "fee_text": "免費（保費另計）",
             "replaced_docs": ("身分證或戶口名簿",)},
        ),
        (  # 身障鑑定: no published fee, no research note on paper; the 鑑定表 is what is handed over
            "SW-01",
            {"fee": 0},
            {"service_name": SW01,
             "due_text": "當場發給鑑定表；身心障礙證明由市府社會局於完成鑑定及需求評估後核發（需求評估以15個工作天為限）",
             "fee_text": "依機關公告"},
        ),
        (  # taken offline: nothing promised but a notice after the look-ups (and the status said once)
            "SW-03",
            {"decision": Outcome.UNKNOWN, "status": "待查驗"},
            {"service_name": "身心障礙者專用停車位識別證", "decision_text": "待查驗",
             "due_text": "待查驗，查驗後通知；處理期限 2 個月，依行政程序法第51條，補正期間不計",
             "fee_text": "免費（郵寄領證需附28元回郵）"},
        ),
        (  # failed and taken at the applicant's request: no date is promised
            "SW-03",
            {"decision": Outcome.FAIL},
            {"service_name": "身心障礙者專用停車位識別證", "decision_text": "不符資格（已受理）",
             "due_text": "不符資格，申請人仍要求受理（不預定完成日期，審核結果另行通知）",
             "fee_text": "免費（郵寄領證需附28元回郵）"},
        ),
        (  # a two-character name keeps its first character only
            "SW-03",
            {"applicant_name": "林一"},
            {"service_name": "身心障礙者專用停車位識別證", "due_text": "當場核發", "fee_text": "免費（郵寄領證需附28元回郵）",
             "name_masked": "林○"},
        ),
    ],
    ids=["due date", "no due date", "no time limit", "no fee", "pending", "refused", "short name"],
)  # fmt: skip
def test_receipts_of_other_services(service: str, over: dict[str, object], printed: dict[str, object]) -> None:
    catalog = load_catalog()
    docs = printed.pop("replaced_docs", None)
    want = expected(**printed)
    got = receipt_data(saved(service, **over), catalog, DEVICE, QR, practice=False)
    if docs is None:  # the service's replaced documents, as its catalog entry lists them
        docs = tuple(d.name for d in catalog.get(service).documents if d.replaced_by)
    assert got == replace(want, replaced_docs=docs)


DAY = compute(FACTS, held(DIGEST), NEAR)
CASH = (CashLine("amy", 100, 100, ""), CashLine("ben", 130, 100, "找錯零錢"), CashLine("cat", 0, None, ""))


def test_the_day_close_on_paper() -> None:
    paper = dayclose_data(DAY, CASH, "ben 少收 30 元已補", load_catalog(), DEVICE, practice=False)
    assert (paper.office_name, paper.title) == ("桃園市桃園區公所", "日結報表")
    assert paper.subtitle == "營業日：115年11月20日　設備：D0007　未簽核"
    assert paper.footer == "日結報表 115年11月20日 D0007"
    assert paper.summary == (
        ("有效案件", "5 件（作廢 2 件）"),
        ("規費合計", "360 元（現金 230、轉帳 130）"),
        ("應收現金", "230 元"),
        ("收據號碼", "D0007-R0000041 ～ D0007-R0000049"),
        ("號碼缺漏", "D0007-R0000044、D0007-R0000048"),
        ("同步狀態", "尚有 2 件未送達市府"),
        ("與市府比對", "市府持有 5 件；本機獨有 1 件、市府獨有 1 件、內容不一致 1 件"),
        ("查驗稽核軌跡", "第 17 筆起遭更動或刪除，請通報資安窗口"),
    )
    tables = {t.title: t for t in paper.tables}
    assert list(tables) == [
        "各承辦人", "各申辦項目", "現金點收", "作廢收據", "更正登錄（更正已簽核之營業日）", "未送達市府",
        "逾期案件（未結，已過處理期限）", "即將到期（兩個工作天內，依項目與期限）",
    ]  # fmt: skip
    assert tables["各承辦人"] == ReportTable(
        "各承辦人",
        ("承辦人", "件數", "作廢", "規費（依付款方式）", "應收現金"),
        (("amy", "2", "1", "現金 100、轉帳 50", "100"), ("ben", "2", "1", "現金 130", "130"), ("cat", "1", "0", "轉帳 80", "0")),
        numeric=(1, 2, 4),
    )  # fmt: skip
    assert tables["各申辦項目"] == ReportTable(
        "各申辦項目",
        ("申辦項目", "件數", "規費（依付款方式）"),
        ((SW01, "3", "現金 200、轉帳 80"), (SW02, "2", "現金 30、轉帳 50")),
        numeric=(1,),
    )
    assert tables["現金點收"] == ReportTable(
        "現金點收",
        ("承辦人", "應收", "實點", "差額", "說明"),
        (("amy", "100", "100", "+0", ""), ("ben", "130", "100", "-30", "找錯零錢"), ("cat", "0", "未點收", "", "")),
        numeric=(1, 2, 3),
        empty="本日無現金收入。",
    )
    # Column widths (weights) are the layout chosen by looking at the rendered report: changing them is deliberate.
    assert tables["作廢收據"] == ReportTable(
        "作廢收據",
        ("收據號碼", "案件編號", "承辦人", "規費", "原因", "核准主管"),
        (
            ("D0007-R0000045", C4.case_number, "ben", "100", "誤收，申請人改日再來", "supervisor-a 11:02"),
            ("D0007-R0000046", C5.case_number, "amy", "0", "撤回，未送市府", ""),
        ),
        weights=(1.2, 2.1, 1, 0.6, 2, 1.3),
        numeric=(3,),
    )
    assert tables["更正登錄（更正已簽核之營業日）"] == ReportTable(
        "更正登錄（更正已簽核之營業日）",
        ("原營業日", "案件編號", "更正", "金額", "原因", "主管"),
        (("115年11月19日", "68000010-D0007-1151119-0003", "退費", "-100", "重複收費退還", "supervisor-a"),),
        weights=(1.2, 2.1, 0.9, 0.7, 2, 1.1),
        numeric=(3,),
    )
    assert tables["未送達市府"] == ReportTable(
        "未送達市府", ("案件編號",), ((C2.case_number,), (C6.case_number,)), alert=True
    )
    assert tables["逾期案件（未結，已過處理期限）"] == ReportTable(
        "逾期案件（未結，已過處理期限）",
        ("案件編號", "申辦項目", "承辦人", "處理期限"),
        (("68000010-D0007-1151101-0001", SW01, "amy", "115年11月19日"),),
        weights=(2.1, 2.4, 1, 1.2),
        alert=True,
    )
    assert tables["即將到期（兩個工作天內，依項目與期限）"] == ReportTable(
        "即將到期（兩個工作天內，依項目與期限）",
        ("申辦項目", "處理期限", "件數"),
        ((SW01, "115年11月23日", "1"), (SW02, "115年11月20日", "1")),
        numeric=(2,),
    )
    assert paper.charts == (
        Chart("每小時收件數", (("08", 0), ("09", 2), ("10", 1), ("11", 0), ("12", 0), ("13", 0), ("14", 1),
                              ("15", 1), ("16", 0), ("17", 0))),
        Chart("各項目收件數", ((SW01, 3), (SW02, 2)), True),
    )  # fmt: skip
    assert (paper.note, paper.practice) == ("ben 少收 30 元已補", False)
    assert paper.problems == (
        "收據號碼缺漏：D0007-R0000044、D0007-R0000048",
        "查驗稽核軌跡第 17 筆起遭更動或刪除，請通報資安窗口",
        "市府伺服器有 1 件本機沒有的案件",
        f"本機已送出但市府伺服器沒有：{FACTS.cases[0].case_number}（已可重新上傳）",
        f"與市府伺服器內容不一致：{FACTS.cases[2].case_number}",
        "尚有 2 件未送達市府",
        "作廢收據 D0007-R0000045：誤收，申請人改日再來",
        "作廢收據 D0007-R0000046：撤回，未送市府",
        "逾期未結案件 1 件",
        "即將到期案件 2 件（兩個工作天內）",
    )


def test_a_quiet_day_the_city_could_not_be_asked_about() -> None:
    quiet = replace(FACTS, cases=(), corrections=(), open_due=(), audit_break=None, last_receipt_seq=40)
    paper = dayclose_data(compute(quiet, None, NEAR, "network_down"), (), "", load_catalog(), DEVICE, practice=True)
    assert paper.summary == (
        ("有效案件", "0 件（作廢 0 件）"),
        ("規費合計", "0 元"),
        ("應收現金", "0 元"),
        ("收據號碼", "本日未開立收據"),
        ("號碼缺漏", "無"),
        ("同步狀態", "全部已送達市府"),
        ("與市府比對", "未能比對（無法連線市府伺服器）"),
        ("查驗稽核軌跡", "雜湊鏈完整"),
    )
    assert all(t.rows == () for t in paper.tables) and paper.practice
    assert paper.charts[0].points == tuple((f"{h:02d}", 0) for h in range(8, 18))


def test_a_signed_day_says_who_signed_when_and_its_hash() -> None:
    close = CloseRecord(
        UUID("00000000-0000-4000-8000-000000000777"),
        date(2026, 11, 20),
        datetime(2026, 11, 20, 17, 45, tzinfo=TAIPEI),
        "chief-test",
        "approval-1",
        "0123456789abcdef" * 4,
        "{}",
    )
    assert status_text(replace(DAY, close=close)) == "已簽核（chief-test，115年11月20日 17:45，報表雜湊 0123456789ab）"


@pytest.mark.parametrize(
    ("per_hour", "hours"),
    [({}, list(range(8, 18))), ({7: 1, 12: 2}, list(range(7, 18))), ({18: 1}, list(range(8, 19))),
     ({6: 1, 20: 3}, list(range(6, 21)))],
)  # fmt: skip
def test_the_hours_chart_spans_the_office_day_and_any_hour_with_cases(
    per_hour: dict[int, int], hours: list[int]
) -> None:
    assert office_hours(per_hour) == tuple((f"{h:02d}", per_hour.get(h, 0)) for h in hours)


def test_long_lists_stop_at_200_rows_and_say_how_many_more() -> None:
    one = [(f"N{n}",) for n in range(1, 203)]
    assert _capped(one[:200]) == tuple(one[:200])
    assert _capped(one) == (*one[:200], ("…另 2 件，請於系統中查閱",))
    two = [(f"N{n}", "x") for n in range(1, 202)]
    assert _capped(two) == (*two[:200], ("…", "另 1 件，請於系統中查閱"))
    four = [(f"N{n}", "s", "c", "d") for n in range(1, 1202)]
    assert _capped(four) == (*four[:200], ("…", "另 1,001 件，請於系統中查閱", "", ""))


def test_the_review_list_as_every_paper_shows_it() -> None:
    lines = [
        ReviewLine(
            "名單第 2 列", "H12345****", "歐陽小明", "fail", "moved_out", ("戶籍不在桃園市（目前設籍臺南市）。",), ()
        ),
        ReviewLine("案件 0001", "A10000****", "", "pass", "still_eligible", (), ("SW-05", "SW-99")),
        ReviewLine("名單第 4 列", "B20000****", "林一", "fail", "certificate_expired", ("甲。", "乙。"), ("SW-01",)),
        ReviewLine("名單第 5 列", "C30000****", "陳大文", "unknown", "unknown", (), ()),
        ReviewLine("名單第 6 列", "D40000****", "王美", "fail", "no_longer_eligible", (), ()),
    ]
    assert review_rows(lines, load_catalog()) == [
        ("名單第 2 列", "H12345****", "歐○○明", "遷出本市或查無戶籍", "戶籍不在桃園市（目前設籍臺南市）。", ""),
        ("案件 0001", "A10000****", "", "仍符合資格", "", "敬老愛心卡、SW-99"),  # a code no longer in the catalog
        ("名單第 4 列", "B20000****", "林○", "身障證明逾期", "甲。；乙。", SW01),
        ("名單第 5 列", "C30000****", "陳○文", "無法查驗（稍後再試）", "", ""),
        ("名單第 6 列", "D40000****", "王○", "不再符合資格", "", ""),
    ]


@pytest.mark.parametrize(
    ("approval", "shown"), [("offline", "離線核准（主管於本機確認）"), ("5f0c…-approval", "5f0c…-approval")]
)
def test_a_void_slip(approval: str, shown: str) -> None:
    void = VoidRecord(UUID(int=1), UUID(int=2), datetime(2026, 11, 20, 11, 2, tzinfo=TAIPEI), "chief-test",
                      approval, "誤收，申請人改日再來")  # fmt: skip
    services = SimpleNamespace(catalog=paid_catalog(80), device=DEVICE, practice=True)
    case = saved("SW-05", fee=80, payment_method="card")
    assert void_slip_data(case, void, services) == VoidSlipData(  # type: ignore[arg-type]
        office_name="桃園市桃園區公所",
        case_number="68000010-D0007-1151120-0001",
        receipt_number="D0007-R0000041",
        service_name="敬老愛心卡",
        name_masked="歐○○明",
        id_masked="H12345****",
        received_text="115年11月20日 09:05",
        fee_text="新臺幣 80 元（信用卡／行動支付）",
        clerk="amy",
        voided_text="115年11月20日 11:02",
        voided_by="chief-test",
        approval=shown,
        reason="誤收，申請人改日再來",
        practice=True,
        refund=80,  # what was collected is what is paid back
    )


@pytest.mark.parametrize("practice", [False, True])
def test_the_notice_of_documents_still_owed(practice: bool) -> None:
    service = load_catalog().get("SW-05")
    owed, replaced = service.documents[0], service.documents[1]
    verification = SimpleNamespace(
        service=service,
        applicant=Applicant(parse_id("H123456786"), "王小明", date(1950, 1, 2)),
        documents=SimpleNamespace(owed=(owed,), replaced=(replaced,)),
    )
    assert notice_data(verification, DEVICE, "amy", date(2026, 11, 20), practice=practice) == NoticeData(  # type: ignore[arg-type]
        office_name="桃園市桃園區公所",
        service_name="敬老愛心卡",
        name_masked="王○明",
        id_masked="H12345****",
        date_text="115年11月20日",
        owed=("身分證正本（驗畢發還）",),
        replaced=("戶口名簿或戶籍謄本",),
        clerk="amy",
        phone="",
        deadline="依承辦人通知",
        practice=practice,
    )


def test_the_qr_points_at_the_case_on_the_track_page() -> None:
    case = saved("SW-05")
    for base in ("https://city.example", "https://city.example/"):
        assert track_url(base, case, "k1.sig") == "https://city.example/track/68000010-D0007-1151120-0001?sig=k1.sig"
    # behind the city's portal, under a path of its own
    assert (
        track_url("https://gov.example/BOX/", case, "k")
        == "https://gov.example/BOX/track/68000010-D0007-1151120-0001?sig=k"
    )


def test_a_correction_without_a_case_and_of_a_kind_this_version_has_no_word_for() -> None:
    odd = CorrectionRecord(UUID(int=5), date(2026, 11, 18), None, "adjust", 20, "補登", "chief-test",
                           datetime(2026, 11, 20, 16, 0, tzinfo=TAIPEI))  # fmt: skip
    paper = dayclose_data(
        compute(replace(FACTS, corrections=(odd,)), held(DIGEST), NEAR), (), "", load_catalog(), DEVICE, False
    )
    (table,) = [t for t in paper.tables if t.title.startswith("更正登錄")]
    assert table.rows == (("115年11月18日", "", "adjust", "+20", "補登", "chief-test"),)


@pytest.mark.parametrize(
    ("fee", "method", "note", "shown"),
    [
        (None, "cash", "", "依機關公告"),
        (None, "cash", "依長照等級", "依機關公告（依長照等級）"),
        (0, "none", "", "免費"),
        (0, "none", "保費另計", "免費（保費另計）"),
        (1200, "transfer", "", "新臺幣 1,200 元（轉帳）"),
        (80, "voucher", "", "新臺幣 80 元（voucher）"),  # a method this version has no word for: as recorded
    ],
)
def test_fees_in_words(fee: int | None, method: str, note: str, shown: str) -> None:
    assert fee_text(fee, method, note) == shown
    if not note:
        assert fee_text(fee, method) == shown


@pytest.mark.parametrize(
    ("fees", "shown"),
    [({}, "—"), ({"cash": 1200}, "現金 1,200"), ({"card": 50, "voucher": 5}, "信用卡／行動支付 50、voucher 5")],
)
def test_money_by_method(fees: dict[str, int], shown: str) -> None:
    assert money(fees) == shown


def test_a_void_slip_of_a_service_with_no_published_fee() -> None:
    void = VoidRecord(UUID(int=1), UUID(int=2), datetime(2026, 11, 20, 11, 2, tzinfo=TAIPEI), "chief-test",
                      "offline", "重複受理")  # fmt: skip
    services = SimpleNamespace(catalog=load_catalog(), device=DEVICE, practice=False)
    slip = void_slip_data(saved("SW-01", fee=0, payment_method="none"), void, services)  # type: ignore[arg-type]
    assert (slip.service_name, slip.fee_text, slip.practice, slip.refund) == (
        SW01,
        "依機關公告",
        False,
        0,
    )


@pytest.mark.parametrize(
    ("due", "said"),
    [
        (DueDate(date(2026, 12, 1)), "請於 115年12月1日前補正（7 個工作天內）"),
        (DueDate(date(2028, 1, 11), covered=False), "約 117年1月11日前補正（7 個工作天內；行事曆未涵蓋，遇假日順延）"),
        (None, "依承辦人通知"),
    ],
)
def test_the_notice_gives_the_offices_phone_and_the_supplement_deadline(due: DueDate | None, said: str) -> None:
    directory = OfficeDirectory({"68000010": OfficeContact("03-0001-0101")}, supplement_days=7, version=1)
    verification = SimpleNamespace(
        service=load_catalog().get("SW-05"),
        applicant=Applicant(parse_id("H123456786"), "王小明", date(1950, 1, 2)),
        documents=SimpleNamespace(owed=(), replaced=()),
    )
    data = notice_data(verification, DEVICE, "amy", date(2026, 11, 20), False, directory, due)  # type: ignore[arg-type]
    assert (data.phone, data.deadline) == ("03-0001-0101", said)


def test_a_waived_fee_reaches_the_receipt_with_its_ground_and_the_shown_paper_too() -> None:
    card = load_catalog().get("SW-05")
    terms = replace(
        terms_of_earlier_case(card, Outcome.PASS, False, None, (), 0),
        fee=100,
        waiver="低收入戶，規費減免規定",
        shown=("身分證正本（驗畢發還）",),
    )
    case = saved("SW-05", payment_method="waived", terms=terms)
    data = receipt_data(case, load_catalog(), DEVICE, "qr", practice=False)
    assert data.fee_text == "新臺幣 100 元，免徵（低收入戶，規費減免規定）"
    assert data.shown_docs == ("身分證正本（驗畢發還）",)


@pytest.mark.parametrize(
    ("fees", "waived", "said"),
    [
        ({}, 0, "—"),
        ({}, 2, "免徵 2 件"),
        ({"cash": 100}, 0, "現金 100"),
        ({"cash": 100}, 1, "現金 100；免徵 1 件"),
    ],
)
def test_a_clerks_fees_say_how_many_were_waived(fees: dict[str, int], waived: int, said: str) -> None:
    assert clerk_fees_text(ClerkLine("amy", 3, 0, fees, fees.get("cash", 0), waived)) == said


def test_the_day_close_paper_counts_waivers() -> None:
    waived = replace(FACTS, cases=(replace(C2, payment_method="waived", fee=0),))
    paper = dayclose_data(compute(waived, None, NEAR), (), "", load_catalog(), DEVICE, practice=False)
    assert dict(paper.summary)["規費合計"] == "0 元；免徵 1 件"


def test_the_notice_counts_the_period_of_the_devices_own_office() -> None:
    """Office 68000010 gives 10 working days, the city's default is 7: the notice names the office's."""
    directory = OfficeDirectory({"68000010": OfficeContact("03-0001-0101", 10)}, supplement_days=7, version=1)
    verification = SimpleNamespace(
        service=load_catalog().get("SW-05"),
        applicant=Applicant(parse_id("H123456786"), "王小明", date(1950, 1, 2)),
        documents=SimpleNamespace(owed=(), replaced=()),
    )
    due = DueDate(date(2026, 12, 4))
    data = notice_data(verification, DEVICE, "amy", date(2026, 11, 20), False, directory, due)  # type: ignore[arg-type]
    assert data.deadline == "請於 115年12月4日前補正（10 個工作天內）"
