"""Every rule kind at its limits, written out by hand: at the limit, just below, just above, and each input missing.
The expected outcome and reason of each row come from the rule's meaning (the catalog's sources), not from the
code under test."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms.eligibility import RULE_KINDS, Context
from forms.ids import parse_id
from forms.messages import text
from forms.types import Applicant, Facts, Office, Outcome
from tests.fakes.records import household_record

OFFICE = Office("68000010", "桃園市桃園區公所", "68000000", "桃園市")
P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN
MAN = Applicant(parse_id("H123456786"), "王小明", date(1961, 11, 15))  # second digit 1: male


def hh(**over: Any) -> dict[str, Any]:
    return household_record(date(1961, 11, 15), **over)


def dis(**over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "found": True,
        "level": "中度",
        "category": "肢體障礙",
        "needs": ["停車"],
        "expires_on": None,
    }
    record.update(over)
    return record


def tax(**over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "found": True,
        "income_per_person_monthly": 22500,
        "owns_house": False,
        "owns_farmhouse": False,
    }
    record.update(over)
    return record


def drop(record: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != key}


# (kind, params, facts, today, extra context, expected outcome, expected code, the sentence the clerk reads)
ROWS: list[tuple[str, dict[str, Any], dict[str, Any], str, dict[str, Any], Outcome, str, str]] = [
    # 65 from the first day of the birth month (born 15 Nov 1961)
    ("age_at_least", {"years": 65, "method": "birthday_month"}, {"household": hh()}, "2026-10-31", {}, F, "age_under", "未滿65歲（64歲），115年11月1日起符合。"),
    ("age_at_least", {"years": 65, "method": "birthday_month"}, {"household": hh()}, "2026-11-01", {}, P, "age_ok", "年滿65歲（65歲，115年11月1日起）。"),
    ("age_at_least", {"years": 65, "method": "birthday_month"}, {"household": hh()}, "2026-11-02", {}, P, "age_ok", "年滿65歲（65歲，115年11月1日起）。"),
    # 65 on the birthday itself
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh()}, "2026-11-14", {}, F, "age_under", "未滿65歲（64歲），115年11月15日起符合。"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh()}, "2026-11-15", {}, P, "age_ok", "年滿65歲（65歲，115年11月15日起）。"),
    # born 29 Feb: in a common year the birthday counts from 1 March
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh(birth_date="1960-02-29")}, "2025-02-28", {}, F, "age_under", "未滿65歲（64歲），114年3月1日起符合。"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh(birth_date="1960-02-29")}, "2025-03-01", {}, P, "age_ok", "年滿65歲（65歲，114年3月1日起）。"),
    # ROC-year age (役男): from 1 January of the year
    ("age_at_least", {"years": 65, "method": "roc_year"}, {"household": hh()}, "2025-12-31", {}, F, "age_under", "未滿65歲（64歲），115年1月1日起符合。"),
    ("age_at_least", {"years": 65, "method": "roc_year"}, {"household": hh()}, "2026-01-01", {}, P, "age_ok", "年滿65歲（65歲，115年1月1日起）。"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": None}, "2026-11-15", {}, U, "household_unavailable", "戶籍資料暫時無法查驗，本案將以「待查驗」受理，連線後再查。"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": {"found": False}}, "2026-11-15", {}, F, "person_not_found", "戶籍資料查無此人。"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": drop(hh(), "birth_date")}, "2026-11-15", {}, U, "fact_missing", "查驗資料缺少「出生日期」，無法判定。"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh(birth_date="1961-13-45")}, "2026-11-15", {}, U, "fact_missing", "查驗資料缺少「出生日期」，無法判定。"),
    # at most 18 (born 20 Nov 2008): 18 on the birthday is still within, 19 is over
    ("age_at_most", {"years": 18, "method": "birthday"}, {"household": hh(birth_date="2008-11-20")}, "2026-11-19", {}, P, "age_within", "年齡 17 歲，未逾 18 歲。"),
    ("age_at_most", {"years": 18, "method": "birthday"}, {"household": hh(birth_date="2008-11-20")}, "2027-11-19", {}, P, "age_within", "年齡 18 歲，未逾 18 歲。"),
    ("age_at_most", {"years": 18, "method": "birthday"}, {"household": hh(birth_date="2008-11-20")}, "2027-11-20", {}, F, "age_over", "年齡 19 歲，已逾 18 歲。"),
    ("age_at_most", {"years": 18, "method": "roc_year"}, {"household": hh(birth_date="2008-11-20")}, "2026-12-31", {}, P, "age_within", "年齡 18 歲，未逾 18 歲。"),
    ("age_at_most", {"years": 18, "method": "roc_year"}, {"household": hh(birth_date="2008-11-20")}, "2027-01-01", {}, F, "age_over", "年齡 19 歲，已逾 18 歲。"),
    ("age_at_most", {"years": 18, "method": "birthday"}, {"household": None}, "2026-11-19", {}, U, "household_unavailable", "戶籍資料暫時無法查驗，本案將以「待查驗」受理，連線後再查。"),
    # identity: the register's name and birth date against what was typed
    ("identity_matches", {}, {"household": hh()}, "2026-11-20", {}, P, "identity_ok", "姓名與出生日期與戶籍資料相符。"),
    ("identity_matches", {}, {"household": hh(name="王 小明")}, "2026-11-20", {}, P, "identity_ok", "姓名與出生日期與戶籍資料相符。"),
    ("identity_matches", {}, {"household": hh(name="王小民")}, "2026-11-20", {}, F, "identity_name_mismatch", "輸入的姓名與戶籍資料不符，請向申請人核對。"),
    ("identity_matches", {}, {"household": hh(birth_date="1961-11-16")}, "2026-11-20", {}, F, "identity_birth_mismatch", "輸入的出生日期與戶籍資料不符，請向申請人核對。"),
    ("identity_matches", {}, {"household": drop(hh(), "birth_date")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「出生日期」，無法判定。"),
    ("identity_matches", {}, {"household": {"found": False}}, "2026-11-20", {}, F, "person_not_found", "戶籍資料查無此人。"),
    ("identity_matches", {}, {}, "2026-11-20", {}, U, "household_unavailable", "戶籍資料暫時無法查驗，本案將以「待查驗」受理，連線後再查。"),
    ("identity_matches", {}, {"household": drop(hh(), "name")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「姓名」，無法判定。"),
    ("identity_matches", {}, {"household": hh(name=" ")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「姓名」，無法判定。"),
    # residence in the office's city
    ("residence_in_city", {}, {"household": hh()}, "2026-11-20", {}, P, "residence_ok", "設籍桃園市。"),
    ("residence_in_city", {}, {"household": hh(city_code="67000000", city_name="臺南市")}, "2026-11-20", {}, F, "residence_elsewhere", "戶籍不在桃園市（目前設籍臺南市）。"),
    ("residence_in_city", {}, {"household": drop(hh(), "city_code")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「戶籍所在縣市」，無法判定。"),
    # sex from the ID's second digit
    ("sex_is", {"sex": "M"}, {}, "2026-11-20", {}, P, "sex_ok", "性別為男性。"),
    ("sex_is", {"sex": "F"}, {}, "2026-11-20", {}, F, "sex_mismatch", "本項目限女性申請。"),
    # a household member under 12 (by birthday): exactly 12 today is not under
    ("household_has_member_under", {"years": 12}, {"household": hh(members=[{"birth_date": "2014-11-20"}])}, "2026-11-20", {}, F, "child_none", "戶內無未滿 12 歲兒童。"),
    ("household_has_member_under", {"years": 12}, {"household": hh(members=[{"birth_date": "2014-11-21"}])}, "2026-11-20", {}, P, "child_ok", "戶內有未滿 12 歲兒童 1 名。"),
    ("household_has_member_under", {"years": 12}, {"household": hh(members=[])}, "2026-11-20", {}, F, "child_none", "戶內無未滿 12 歲兒童。"),
    ("household_has_member_under", {"years": 12}, {"household": drop(hh(), "members")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「戶內成員」，無法判定。"),
    ("household_has_member_under", {"years": 12}, {"household": None}, "2026-11-20", {}, U, "household_unavailable", "戶籍資料暫時無法查驗，本案將以「待查驗」受理，連線後再查。"),
    ("household_has_member_under", {"years": 12}, {"household": hh(members=[{"birth_date": "2014-11-20"}, {"birth_date": "2014-12-01"}, {"birth_date": "2020-01-01"}])}, "2026-11-20", {}, P, "child_ok", "戶內有未滿 12 歲兒童 2 名。"),
    # living alone: a household of exactly one
    ("lives_alone", {}, {"household": hh(household_size=1)}, "2026-11-20", {}, P, "alone_ok", "戶籍登記為獨居。"),
    ("lives_alone", {}, {"household": hh(household_size=2)}, "2026-11-20", {}, F, "alone_not", "戶內共 2 人，非獨居。"),
    ("lives_alone", {}, {"household": drop(hh(), "household_size")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「戶內人數」，無法判定。"),
    ("lives_alone", {}, {"household": None}, "2026-11-20", {}, U, "household_unavailable", "戶籍資料暫時無法查驗，本案將以「待查驗」受理，連線後再查。"),
    ("indigenous", {}, {"household": hh(indigenous=True)}, "2026-11-20", {}, P, "indigenous_ok", "具原住民身分。"),
    ("indigenous", {}, {"household": hh(indigenous=False)}, "2026-11-20", {}, F, "indigenous_not", "戶籍無原住民身分註記。"),
    ("indigenous", {}, {"household": drop(hh(), "indigenous")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「原住民身分註記」，無法判定。"),
    ("indigenous", {}, {"household": None}, "2026-11-20", {}, U, "household_unavailable", "戶籍資料暫時無法查驗，本案將以「待查驗」受理，連線後再查。"),
    # a disability certificate valid on the day (expiring today is still valid)
    ("has_disability", {}, {"disability": dis(expires_on="2026-11-20")}, "2026-11-20", {}, P, "disability_ok", "領有身心障礙證明（中度，效期至115年11月20日）。"),
    ("has_disability", {}, {"disability": dis(expires_on="2026-11-19")}, "2026-11-20", {}, F, "disability_expired", "身心障礙證明已於115年11月19日到期，請先辦理重新鑑定。"),
    ("has_disability", {}, {"disability": dis(expires_on=None)}, "2026-11-20", {}, P, "disability_ok", "領有身心障礙證明（中度，效期至無期限）。"),
    ("has_disability", {}, {"disability": {"found": False}}, "2026-11-20", {}, F, "disability_none", "查無身心障礙證明。"),
    ("has_disability", {}, {"disability": None}, "2026-11-20", {}, U, "disability_unavailable", "身障資料暫時無法查驗，連線後再查。"),
    ("has_disability", {}, {"disability": drop(dis(), "level")}, "2026-11-20", {}, P, "disability_ok", "領有身心障礙證明（等級未載，效期至無期限）。"),
    ("disability_certificate_exists", {}, {"disability": dis(expires_on="2000-01-01")}, "2026-11-20", {}, P, "disability_record_ok", "有身心障礙證明紀錄（中度）。"),
    ("disability_certificate_exists", {}, {"disability": {"found": False}}, "2026-11-20", {}, F, "disability_none", "查無身心障礙證明。"),
    ("disability_certificate_exists", {}, {"disability": drop(dis(), "level")}, "2026-11-20", {}, P, "disability_record_ok", "有身心障礙證明紀錄（等級未載）。"),
    ("disability_certificate_exists", {}, {"disability": None}, "2026-11-20", {}, U, "disability_unavailable", "身障資料暫時無法查驗，連線後再查。"),
    ("disability_need", {"need": "停車"}, {"disability": dis()}, "2026-11-20", {}, P, "need_ok", "證明註記「停車」。"),
    ("disability_need", {"need": "輔具"}, {"disability": dis()}, "2026-11-20", {}, F, "need_missing", "證明未註記「輔具」。"),
    ("disability_need", {"need": "停車"}, {"disability": drop(dis(), "needs")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「證明註記事項」，無法判定。"),
    ("disability_need", {"need": "停車"}, {"disability": None}, "2026-11-20", {}, U, "disability_unavailable", "身障資料暫時無法查驗，連線後再查。"),
    ("disability_need", {"need": "停車"}, {"disability": {"found": False}}, "2026-11-20", {}, F, "disability_none", "查無身心障礙證明。"),
    ("disability_category_in", {"categories": ["肢體障礙"]}, {"disability": dis()}, "2026-11-20", {}, P, "category_ok", "障礙類別：肢體障礙。"),
    ("disability_category_in", {"categories": ["視覺障礙"]}, {"disability": dis()}, "2026-11-20", {}, F, "category_other", "障礙類別為肢體障礙，本項目限視覺障礙（或檢附醫師診斷證明）。"),
    ("disability_category_in", {"categories": ["視覺障礙", "聽覺障礙"]}, {"disability": dis()}, "2026-11-20", {}, F, "category_other", "障礙類別為肢體障礙，本項目限視覺障礙、聽覺障礙（或檢附醫師診斷證明）。"),
    ("disability_category_in", {"categories": ["肢體障礙"]}, {"disability": drop(dis(), "category")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「障礙類別」，無法判定。"),
    ("disability_category_in", {"categories": ["肢體障礙"]}, {"disability": dis(category=["肢體障礙"])}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「障礙類別」，無法判定。"),
    ("disability_category_in", {"categories": ["肢體障礙"]}, {"disability": None}, "2026-11-20", {}, U, "disability_unavailable", "身障資料暫時無法查驗，連線後再查。"),
    # welfare status (absent status counts as 一般)
    ("welfare_status_in", {"statuses": ["低收入戶"]}, {"welfare": {"status": "低收入戶"}}, "2026-11-20", {}, P, "welfare_ok", "福利身分：低收入戶。"),
    ("welfare_status_in", {"statuses": ["低收入戶"]}, {"welfare": {"status": "中低收入戶"}}, "2026-11-20", {}, F, "welfare_other", "福利身分為中低收入戶，本項目限低收入戶。"),
    ("welfare_status_in", {"statuses": ["低收入戶", "中低收入戶"]}, {"welfare": {"status": "一般"}}, "2026-11-20", {}, F, "welfare_other", "福利身分為一般，本項目限低收入戶、中低收入戶。"),
    ("welfare_status_in", {"statuses": ["一般"]}, {"welfare": {}}, "2026-11-20", {}, P, "welfare_ok", "福利身分：一般。"),
    ("welfare_status_in", {"statuses": ["低收入戶"]}, {"welfare": None}, "2026-11-20", {}, U, "welfare_unavailable", "低收／中低收資料暫時無法查驗，連線後再查。"),
    # income at most 1.5 × 15,000 = 22,500 a person a month
    ("income_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=22500)}, "2026-11-20", {"min_living_cost": 15000}, P, "income_ok", "家庭平均每人每月收入 22,500 元，未超過最低生活費 1.5 倍（22,500 元）。"),
    ("income_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=22499)}, "2026-11-20", {"min_living_cost": 15000}, P, "income_ok", "家庭平均每人每月收入 22,499 元，未超過最低生活費 1.5 倍（22,500 元）。"),
    ("income_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=22501)}, "2026-11-20", {"min_living_cost": 15000}, F, "income_over", "家庭平均每人每月收入 22,501 元，超過最低生活費 1.5 倍（22,500 元）。"),
    ("income_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=22500)}, "2026-11-20", {}, U, "threshold_unknown", "尚未收錄民國115年最低生活費，所得條件待承辦人審查。"),
    ("income_at_most", {"multiple": 1.5}, {"tax": drop(tax(), "income_per_person_monthly")}, "2026-11-20", {"min_living_cost": 15000}, U, "fact_missing", "查驗資料缺少「家庭平均每人每月收入」，無法判定。"),
    ("income_at_most", {"multiple": 1.5}, {"tax": {"found": False}}, "2026-11-20", {"min_living_cost": 15000}, U, "tax_no_record", "查無財稅資料，待承辦人審查。"),
    ("income_at_most", {"multiple": 1.5}, {"tax": None}, "2026-11-20", {"min_living_cost": 15000}, U, "tax_unavailable", "財稅資料暫時無法查驗，連線後再查。"),
    # the second cap (1.5 × 平均每人每月消費支出 of 30,000 = 45,000), at and around its limit
    ("consumption_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=45000)}, "2026-11-20", {"avg_consumption": 30000}, P, "consumption_ok", "家庭平均每人每月收入 45,000 元，未超過平均每人每月消費支出 1.5 倍（45,000 元）。"),
    ("consumption_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=45001)}, "2026-11-20", {"avg_consumption": 30000}, F, "consumption_over", "家庭平均每人每月收入 45,001 元，超過平均每人每月消費支出 1.5 倍（45,000 元）。"),
    ("consumption_at_most", {"multiple": 1.5}, {"tax": tax()}, "2026-11-20", {}, U, "consumption_unknown", "尚無115年度平均每人每月消費支出標準，無法判定（待市府公告）。"),
    ("consumption_at_most", {"multiple": 1.5}, {"tax": None}, "2026-11-20", {"avg_consumption": 30000}, U, "tax_unavailable", "財稅資料暫時無法查驗，連線後再查。"),
    # a choice the clerk made after seeing the paper
    ("field_in", {"field": "proof", "values": ["醫師診斷證明（3個月內）"], "label": "走失之虞證明"}, {}, "2026-11-20", {"fields": {"proof": "醫師診斷證明（3個月內）"}}, P, "field_in_ok", "走失之虞證明：醫師診斷證明（3個月內）。"),
    ("field_in", {"field": "proof", "values": ["醫師診斷證明（3個月內）"], "label": "走失之虞證明"}, {}, "2026-11-20", {"fields": {"proof": "身心障礙證明（系統查驗）"}}, F, "field_in_other", "走失之虞證明：身心障礙證明（系統查驗），不符本項目條件。"),
    ("field_in", {"field": "proof", "values": ["醫師診斷證明（3個月內）"], "label": "走失之虞證明"}, {}, "2026-11-20", {}, U, "field_missing", "請填寫走失之虞證明。"),
    ("owns_house", {"expected": False}, {"tax": tax(owns_house=False)}, "2026-11-20", {}, P, "house_none_ok", "查無自有住宅。"),
    ("owns_house", {"expected": False}, {"tax": tax(owns_house=True)}, "2026-11-20", {}, F, "house_owned", "名下已有自有住宅。"),
    ("owns_house", {"expected": True}, {"tax": tax(owns_house=True)}, "2026-11-20", {}, P, "house_owned_ok", "名下有自有住宅。"),
    ("owns_house", {"expected": True}, {"tax": tax(owns_house=False)}, "2026-11-20", {}, F, "house_none", "名下查無自有住宅。"),
    ("owns_house", {"expected": True}, {"tax": drop(tax(), "owns_house")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「自有住宅」，無法判定。"),
    ("owns_house", {"expected": False}, {"tax": None}, "2026-11-20", {}, U, "tax_unavailable", "財稅資料暫時無法查驗，連線後再查。"),
    ("owns_farmhouse", {"expected": False}, {"tax": tax(owns_farmhouse=False)}, "2026-11-20", {}, P, "farmhouse_as_expected", "財產資料無自用農舍，符合。"),
    ("owns_farmhouse", {"expected": False}, {"tax": tax(owns_farmhouse=True)}, "2026-11-20", {}, F, "farmhouse_not_expected", "財產資料有自用農舍，不符。"),
    ("owns_farmhouse", {"expected": True}, {"tax": tax(owns_farmhouse=True)}, "2026-11-20", {}, P, "farmhouse_as_expected", "財產資料有自用農舍，符合。"),
    ("owns_farmhouse", {"expected": False}, {"tax": drop(tax(), "owns_farmhouse")}, "2026-11-20", {}, U, "fact_missing", "查驗資料缺少「自用農舍」，無法判定。"),
    ("owns_farmhouse", {"expected": False}, {"tax": None}, "2026-11-20", {}, U, "tax_unavailable", "財稅資料暫時無法查驗，連線後再查。"),
    ("military_status_in", {"statuses": ["未服役"]}, {"military": {"found": True, "status": "未服役"}}, "2026-11-20", {}, P, "military_ok", "兵役狀況：未服役。"),
    ("military_status_in", {"statuses": ["未服役"]}, {"military": {"found": True, "status": "已退伍"}}, "2026-11-20", {}, F, "military_other", "兵役狀況為「已退伍」，本項目限未服役。"),
    ("military_status_in", {"statuses": ["未服役", "免役"]}, {"military": {"found": True, "status": "已退伍"}}, "2026-11-20", {}, F, "military_other", "兵役狀況為「已退伍」，本項目限未服役、免役。"),
    ("military_status_in", {"statuses": ["未服役"]}, {"military": {"found": False, "status": None}}, "2026-11-20", {}, F, "military_other", "兵役狀況為「無兵役資料」，本項目限未服役。"),
    ("military_status_in", {"statuses": ["未服役"]}, {"military": None}, "2026-11-20", {}, U, "military_unavailable", "役政資料暫時無法查驗，連線後再查。"),
    # an event within the last 30 days (30 days ago is still within; tomorrow is not an event yet)
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {"fields": {"event_date": "2026-10-21"}}, P, "event_recent", "死亡日期（115年10月21日）在 30 日內。"),
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {"fields": {"event_date": "2026-10-20"}}, F, "event_too_old", "死亡日期（115年10月20日）已超過 30 日申請期限。"),
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {"fields": {"event_date": "2026-11-20"}}, P, "event_recent", "死亡日期（115年11月20日）在 30 日內。"),
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {"fields": {"event_date": "2026-11-21"}}, F, "event_in_future", "死亡日期不能晚於今天。"),
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {}, U, "field_missing", "請填寫死亡日期。"),
    # a departure 3 to 30 days ahead
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "2026-11-22"}}, F, "ahead_outside", "出境日期（115年11月22日）須在申請日後 3 至 30 日之間。"),
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "2026-11-23"}}, P, "ahead_ok", "出境日期（115年11月23日）在 3 至 30 日內。"),
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "2026-12-20"}}, P, "ahead_ok", "出境日期（115年12月20日）在 3 至 30 日內。"),
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "2026-12-21"}}, F, "ahead_outside", "出境日期（115年12月21日）須在申請日後 3 至 30 日之間。"),
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "bad"}}, U, "field_missing", "請填寫出境日期。"),
    # a seasonal window across the new year (11-01 to 03-31) and one within a year (06-01 to 06-30)
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2026-10-31", {}, F, "window_closed", "不在受理期間（每年 11月1日 至 3月31日）。"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2026-11-01", {}, P, "window_open", "受理期間 11月1日 至 3月31日。"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2026-12-31", {}, P, "window_open", "受理期間 11月1日 至 3月31日。"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2027-01-01", {}, P, "window_open", "受理期間 11月1日 至 3月31日。"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2027-03-31", {}, P, "window_open", "受理期間 11月1日 至 3月31日。"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2027-04-01", {}, F, "window_closed", "不在受理期間（每年 11月1日 至 3月31日）。"),
    ("date_in_window", {"start": "06-01", "end": "06-30"}, {}, "2026-05-31", {}, F, "window_closed", "不在受理期間（每年 6月1日 至 6月30日）。"),
    ("date_in_window", {"start": "06-01", "end": "06-30"}, {}, "2026-06-01", {}, P, "window_open", "受理期間 6月1日 至 6月30日。"),
    ("date_in_window", {"start": "06-01", "end": "06-30"}, {}, "2026-06-30", {}, P, "window_open", "受理期間 6月1日 至 6月30日。"),
    ("date_in_window", {"start": "06-01", "end": "06-30"}, {}, "2026-07-01", {}, F, "window_closed", "不在受理期間（每年 6月1日 至 6月30日）。"),
    # a window of a single day
    ("date_in_window", {"start": "06-15", "end": "06-15"}, {}, "2026-06-15", {}, P, "window_open", "受理期間 6月15日 至 6月15日。"),
    ("date_in_window", {"start": "06-15", "end": "06-15"}, {}, "2026-06-16", {}, F, "window_closed", "不在受理期間（每年 6月15日 至 6月15日）。"),
    ("date_in_window", {"start": "06-15", "end": "06-15"}, {}, "2026-06-14", {}, F, "window_closed", "不在受理期間（每年 6月15日 至 6月15日）。"),
]  # fmt: skip

ANY_OF = {
    "label": "年滿65歲或領有身障證明",
    "options": [{"kind": "age_at_least", "years": 65, "method": "birthday"}, {"kind": "has_disability"}],
}
# any_of: a pass wins; otherwise an unknown makes it unknown; otherwise it fails
ANY_ROWS: list[tuple[dict[str, Any], str, Outcome, str, str]] = [
    ({"household": hh(), "disability": {"found": False}}, "2026-11-15", P, "age_ok", "年滿65歲（65歲，115年11月15日起）。"),
    ({"household": hh(), "disability": dis()}, "2026-01-01", P, "disability_ok", "領有身心障礙證明（中度，效期至無期限）。"),
    ({"household": hh(), "disability": {"found": False}}, "2026-01-01", F, "any_of_failed", "不符合：年滿65歲或領有身障證明（未滿65歲（64歲），115年11月15日起符合；查無身心障礙證明）。"),
    ({"household": hh(), "disability": None}, "2026-01-01", U, "any_of_unknown", "待查驗：年滿65歲或領有身障證明。"),
    ({"household": hh(), "disability": None}, "2026-11-15", P, "age_ok", "年滿65歲（65歲，115年11月15日起）。"),
    ({"household": None, "disability": dis()}, "2026-01-01", P, "disability_ok", "領有身心障礙證明（中度，效期至無期限）。"),
]  # fmt: skip


def evaluate(kind: str, params: dict[str, Any], facts: dict[str, Any], today: str, extra: dict[str, Any]) -> Any:
    ctx = Context(date.fromisoformat(today), OFFICE, **extra)
    return RULE_KINDS[kind].evaluate(params, MAN, Facts(facts), ctx)


@pytest.mark.parametrize(
    ("kind", "params", "facts", "today", "extra", "outcome", "code", "reads"),
    ROWS,
    ids=[f"{r[0]}-{r[3]}-{r[6]}-{n}" for n, r in enumerate(ROWS)],
)
def test_rule_kind_at_its_limits(
    kind: str,
    params: dict[str, Any],
    facts: dict[str, Any],
    today: str,
    extra: dict[str, Any],
    outcome: Outcome,
    code: str,
    reads: str,
) -> None:
    result = evaluate(kind, params, facts, today, extra)
    assert (result.rule, result.outcome, result.code) == (kind, outcome, code)
    assert text(result.code, **result.params) == reads  # the reason, with the case's own facts written out


@pytest.mark.parametrize(("facts", "today", "outcome", "code", "reads"), ANY_ROWS)
def test_any_of_combines_its_options(
    facts: dict[str, Any], today: str, outcome: Outcome, code: str, reads: str
) -> None:
    result = evaluate("any_of", ANY_OF, facts, today, {})
    assert (result.rule, result.outcome, result.code) == ("any_of", outcome, code)
    assert text(result.code, **result.params) == reads


def test_every_rule_kind_has_rows() -> None:
    assert {r[0] for r in ROWS} | {"any_of"} == set(RULE_KINDS)


def test_reasons_carry_the_facts_a_clerk_reads() -> None:
    """The numbers in a reason are the case's, written out (not only the outcome)."""
    over = evaluate(
        "income_at_most",
        {"multiple": 1.5},
        {"tax": tax(income_per_person_monthly=30000)},
        "2026-11-20",
        {"min_living_cost": 15000},
    )
    assert over.params == {"income": "30,000", "limit": "22,500", "multiple": "1.5"}
    young = evaluate("age_at_least", {"years": 65, "method": "birthday_month"}, {"household": hh()}, "2026-10-31", {})
    assert young.params == {"min_age": 65, "eligible_from": "115年11月1日", "age": 64}  # born 1961-11-15
    expired = evaluate("has_disability", {}, {"disability": dis(expires_on="2026-11-19")}, "2026-11-20", {})
    assert expired.params == {"expires": "115年11月19日"}
    window = evaluate("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2026-10-31", {})
    assert window.params == {"start": "11月1日", "end": "3月31日"}


@pytest.mark.parametrize(("years", "fine"), [(0, False), (1, True), (149, True), (150, False), (-3, False)])
def test_an_age_rule_asks_for_a_human_age(years: int, fine: bool) -> None:
    for kind in ("age_at_least", "age_at_most"):
        check = RULE_KINDS[kind].check
        assert check is not None
        problem = check({"years": years, "method": "birthday"})
        assert (problem is None) == fine
        assert fine or problem == "years must be between 1 and 149"


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ([], "options must be a non-empty list of rules with a known kind"),
        (["age_at_least"], "options must be a non-empty list of rules with a known kind"),
        ([{"kind": "astrology"}], "options must be a non-empty list of rules with a known kind"),
        ([{"kind": "has_disability"}, {"years": 65}], "options must be a non-empty list of rules with a known kind"),
        ([{"kind": "any_of", "label": "x", "options": [{"kind": "has_disability"}]}], "any_of cannot nest"),
        ([{"kind": "age_at_least", "years": 65}], "option 'age_at_least' needs exactly ['method', 'years']"),
        ([{"kind": "age_at_least", "years": "65", "method": "birthday"}], "option 'age_at_least' needs exactly ['method', 'years']"),
        ([{"kind": "age_at_least", "years": 65, "method": "lunar"}], "method must be one of ['birthday_month', 'birthday', 'roc_year']"),
        ([{"kind": "has_disability"}, {"kind": "sex_is", "sex": "F"}], None),
    ],
)  # fmt: skip
def test_any_of_options_are_checked_when_the_catalog_loads(options: list[Any], problem: str | None) -> None:
    check = RULE_KINDS["any_of"].check
    assert check is not None
    assert check({"label": "測試", "options": options}) == problem


def test_any_of_options_see_the_applicant() -> None:
    """An option reading the applicant (sex from the ID) is given the applicant, not nothing."""
    either = {"label": "男性或身障", "options": [{"kind": "sex_is", "sex": "M"}, {"kind": "has_disability"}]}
    result = evaluate("any_of", either, {"disability": {"found": False}}, "2026-11-20", {})
    assert (result.rule, result.outcome, result.code) == ("any_of", P, "sex_ok")


def test_each_rule_reads_its_own_look_ups() -> None:
    from forms.eligibility import lookups_of
    from forms.types import Rule

    assert lookups_of(Rule("age_at_least", {"years": 65, "method": "birthday"})) == {"household"}
    assert lookups_of(Rule("income_at_most", {"multiple": 1.5})) == {"tax"}
    assert lookups_of(Rule("sex_is", {"sex": "F"})) == set()
    assert lookups_of(Rule("date_in_window", {"start": "11-01", "end": "03-31"})) == set()
    assert lookups_of(Rule("any_of", ANY_OF)) == {"household", "disability"}
