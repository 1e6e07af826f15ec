"""The one message table: code -> text in zh-TW and en. Desktop, printing and cityserver all read it."""

from __future__ import annotations

from typing import Any

DEFAULT_LANG = "zh-TW"

MESSAGES: dict[str, dict[str, str]] = {
    # Validation
    "id_empty": {"zh-TW": "請輸入身分證統一編號。", "en": "Enter the ID number."},
    "id_format": {
        "zh-TW": "身分證統一編號格式不正確：應為 1 個英文字母加 9 個數字（例：A123456789）。",
        "en": "The ID number must be one letter followed by nine digits (e.g. A123456789).",
    },
    "id_checksum": {
        "zh-TW": "身分證統一編號檢查碼不符，請再核對一次。",
        "en": "The ID number's check digit does not match; please check it again.",
    },
    "date_empty": {"zh-TW": "請輸入日期。", "en": "Enter a date."},
    "date_format": {
        "zh-TW": "日期格式看不懂：請以民國年輸入，例如 115/06/13、1150613 或 115年6月13日。",
        "en": "Unrecognised date: use an ROC date such as 115/06/13, 1150613 or 115年6月13日.",
    },
    "date_impossible": {
        "zh-TW": "沒有這一天：民國{year}年{month}月{day}日。",
        "en": "No such day: ROC {year}-{month}-{day}.",
    },
    "date_in_future": {"zh-TW": "出生日期不能晚於今天。", "en": "A birth date cannot be in the future."},
    "name_empty": {"zh-TW": "請輸入申請人姓名。", "en": "Enter the applicant's name."},
    "name_too_long": {
        "zh-TW": "姓名過長（最多 {limit} 個字）。",
        "en": "The name is too long (at most {limit} characters).",
    },
    "name_bad_char": {
        "zh-TW": "姓名含有不允許的字元（控制字元或方向控制符號）。",
        "en": "The name contains characters that are not allowed (control or direction-override characters).",
    },
    "consent_missing": {
        "zh-TW": "請先確認申請人同意查驗個人資料。",
        "en": "Record the applicant's consent to the look-up first.",
    },
    "catalog_invalid": {
        "zh-TW": "申辦項目資料檔有誤：{file}，欄位 {key}：{problem}",
        "en": "Catalog file {file} is invalid at {key}: {problem}",
    },
    "service_unknown": {"zh-TW": "找不到申辦項目：{service}。", "en": "Unknown service: {service}."},
    # Eligibility reasons
    "age_ok": {
        "zh-TW": "已於 {eligible_from} 起年滿 {min_age} 歲。",
        "en": "Aged {min_age} or over since {eligible_from}.",
    },
    "age_under": {
        "zh-TW": "未滿 {min_age} 歲：{eligible_from} 起才可申請。",
        "en": "Under {min_age}: eligible from {eligible_from}.",
    },
    "residence_ok": {"zh-TW": "設籍{city}。", "en": "Household registration in {city}."},
    "residence_elsewhere": {
        "zh-TW": "戶籍不在{city}（目前設籍{actual}）。",
        "en": "Household registration is not in {city} (registered in {actual}).",
    },
    "identity_ok": {"zh-TW": "姓名與出生日期與戶籍資料相符。", "en": "Name and birth date match the register."},
    "identity_name_mismatch": {
        "zh-TW": "輸入的姓名與戶籍資料不符，請向申請人核對。",
        "en": "The name typed does not match the household register; check with the applicant.",
    },
    "identity_birth_mismatch": {
        "zh-TW": "輸入的出生日期與戶籍資料不符，請向申請人核對。",
        "en": "The birth date typed does not match the household register; check with the applicant.",
    },
    "person_not_found": {
        "zh-TW": "戶籍資料查無此人。",
        "en": "No such person in the household register.",
    },
    "household_unavailable": {
        "zh-TW": "戶籍資料暫時無法查驗，本案將以「待查驗」受理，連線後再查。",
        "en": "The household-registration look-up could not run; the case will be taken as pending verification.",
    },
    "fact_missing": {
        "zh-TW": "查驗資料缺少「{fact}」，無法判定。",
        "en": "The look-up did not provide '{fact}'; cannot decide.",
    },
    # Rule names, shown before each rule's reason
    "rule_identity_matches": {"zh-TW": "身分核對", "en": "Identity"},
    "rule_age_at_least": {"zh-TW": "年齡", "en": "Age"},
    "rule_residence_in_city": {"zh-TW": "設籍", "en": "Residence"},
    # Outcomes
    "outcome_pass": {"zh-TW": "符合資格", "en": "Eligible"},
    "outcome_fail": {"zh-TW": "不符資格", "en": "Not eligible"},
    "outcome_unknown": {"zh-TW": "待查驗", "en": "Pending verification"},
    # Network / server
    "net_unreachable": {
        "zh-TW": "無法連線到市府伺服器，已改為離線作業。",
        "en": "Cannot reach the city server; working offline.",
    },
    "net_timeout": {"zh-TW": "市府伺服器回應逾時。", "en": "The city server did not answer in time."},
    "server_error": {"zh-TW": "市府伺服器發生錯誤（{status}）。", "en": "The city server failed ({status})."},
    "server_bad_response": {
        "zh-TW": "收到的回應不是市府伺服器的正確格式，已忽略。",
        "en": "The response is not a valid city-server answer; ignored.",
    },
    "auth_failed": {"zh-TW": "登入失敗：帳號或密碼不正確。", "en": "Log-in failed: wrong user name or password."},
    "request_rejected": {
        "zh-TW": "伺服器拒絕此請求：{detail}",
        "en": "The server rejected the request: {detail}",
    },
    "push_conflict": {
        "zh-TW": "伺服器上已有同編號但內容不同的案件，需人工處理。",
        "en": "The server holds a different case under the same id; needs a person to resolve.",
    },
    "store_failed": {
        "zh-TW": "無法寫入本機資料庫（{detail}），本案未受理，請勿交付收據。",
        "en": "Could not write to the local database ({detail}); the case was NOT saved.",
    },
}


def text(code: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The text of a message code in a language, formatted with its parameters.

    An unknown code is a programming error and raises KeyError (a test checks every code used has text).
    """
    template = MESSAGES[code][lang]
    return template.format(**params) if params else template
