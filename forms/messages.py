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
    "beneficiary_id_missing": {
        "zh-TW": "申請人非本人時，請輸入受益人（身障者）的身分證統一編號。",
        "en": "Applying for someone else: enter that person's ID number.",
    },
    "beneficiary_is_applicant": {
        "zh-TW": "受益人身分證統一編號與申請人相同：本人申請請將關係選為「本人」。",
        "en": "The person's ID is the applicant's own: choose 本人 as the relation.",
    },
    "date_empty": {"zh-TW": "請輸入日期。", "en": "Enter a date."},
    "date_format": {
        "zh-TW": "日期格式看不懂：請以民國年輸入，例如 115/06/13、1150613 或 115年6月13日。",
        "en": "Unrecognised date: use an ROC date such as 115/06/13, 1150613 or 115年6月13日.",
    },
    "date_impossible": {
        "zh-TW": "沒有這一天：{when}。",
        "en": "No such day: {when} (ROC).",
    },
    "date_year_zero": {
        "zh-TW": "沒有民國0年：民國元年是1年（西元1912年），之前為民前1年、民前2年……",
        "en": "There is no ROC year 0: year 1 is 1912, the year before is 民前1年.",
    },
    "date_out_of_range": {
        "zh-TW": "日期超出可受理範圍（{first}至{last}）。",
        "en": "The date is out of range ({first} to {last}).",
    },
    "date_in_future": {"zh-TW": "出生日期不能晚於今天。", "en": "A birth date cannot be in the future."},
    "name_empty": {"zh-TW": "請輸入申請人姓名。", "en": "Enter the applicant's name."},
    "name_too_long": {
        "zh-TW": "姓名過長（最多 {limit} 個字）。",
        "en": "The name is too long (at most {limit} characters).",
    },
    "name_bad_char": {
        "zh-TW": "姓名含有不允許的字元（控制字元、方向控制符號或無法辨識的字元）。",
        "en": "The name contains characters that are not allowed (control, direction-override or unknown characters).",
    },
    "name_digit": {
        "zh-TW": "姓名不可含數字（「{char}」）。",
        "en": "A name holds no digits (“{char}”).",
    },
    "name_symbol": {
        "zh-TW": "姓名不可含符號或表情符號（「{char}」）；僅可使用文字、空格、‧、-、'。",
        "en": "A name holds no symbols or emoji (“{char}”): letters, spaces, ‧, - and ' only.",
    },
    "name_no_letter": {
        "zh-TW": "姓名至少要有一個文字。",
        "en": "A name needs at least one letter.",
    },
    # Field types
    "field_required": {"zh-TW": "此欄必填。", "en": "This field is required."},
    "date_after_today": {"zh-TW": "此日期不能晚於今天。", "en": "This date cannot be after today."},
    "date_before_today": {"zh-TW": "此日期不能早於今天。", "en": "This date cannot be before today."},
    "text_bad_char": {
        "zh-TW": "含有不允許的字元（控制字元或方向控制符號）。",
        "en": "Contains characters that are not allowed (control or direction-override characters).",
    },
    "text_too_long": {"zh-TW": "內容過長（最多 {limit} 字）。", "en": "Too long (at most {limit} characters)."},
    "phone_format": {
        "zh-TW": "電話號碼格式不正確：手機如 0912-345-678，市話請含區碼如 03-3322101。",
        "en": "Unrecognised phone number: mobile like 0912-345-678, landline with area code like 03-3322101.",
    },
    "phone_mobile_length": {
        "zh-TW": "手機號碼應為 09 開頭共 10 碼。",
        "en": "A mobile number has 10 digits starting 09.",
    },
    "phone_no_area_code": {"zh-TW": "市話請加上區碼（例：03-3322101）。", "en": "Add the area code (e.g. 03-3322101)."},
    "address_no_district": {
        "zh-TW": "地址請寫出區（鄉、鎮、市），例：桃園市桃園區中正里中正路1號。",
        "en": "The address must name the district, e.g. 桃園市桃園區中正里中正路1號.",
    },
    "address_no_village": {
        "zh-TW": "地址請寫出里（村），例：桃園市桃園區中正里中正路1號。",
        "en": "The address must name the village (里/村).",
    },
    "amount_format": {"zh-TW": "金額請輸入整數（例：12000）。", "en": "Enter a whole amount (e.g. 12000)."},
    "waiver_unknown": {
        "zh-TW": "「{service}」的規定沒有這項免徵事由，請重新選擇繳費方式。",
        "en": "The rules of {service} name no such ground for waiving the fee.",
    },
    "payment_unknown": {
        "zh-TW": "本櫃台不收這種繳費方式，請重新選擇。",
        "en": "This counter does not take that payment method.",
    },
    "tendered_short": {
        "zh-TW": "實收 {paid} 元不足應收 {fee} 元，請再確認收款。",
        "en": "NT${paid} tendered does not cover the NT${fee} fee.",
    },
    "amount_too_large": {"zh-TW": "金額過大（上限 {limit} 元）。", "en": "Amount too large (limit NT${limit})."},
    "yesno_format": {"zh-TW": "請回答「是」或「否」。", "en": "Answer yes or no."},
    "choice_unknown": {"zh-TW": "請從選項中選擇：{choices}。", "en": "Choose one of: {choices}."},
    "reference_invalid": {
        "zh-TW": "市府參考資料（{kind}）格式錯誤：{key}（{problem}），未採用。",
        "en": "The city's reference data ({kind}) is invalid at {key} ({problem}); not used.",
    },
    "calendar_out_of_range": {
        "zh-TW": "辦公日曆尚未收錄民國{year}年，無法計算預定完成日。",
        "en": "The office calendar does not cover ROC year {year} yet; no due date.",
    },
    "override_nothing": {"zh-TW": "沒有不符的條件需要核准。", "en": "No failed rule to override."},
    "office_day_blocked": {
        "zh-TW": "尚有設備今日收件但未日結，且未寫明原因：請先說明後再簽核本所日結。",
        "en": "A device took cases and neither closed nor was explained: explain before signing.",
    },
    "office_day_closed": {
        "zh-TW": "本所該日日結已由主管簽核，不能重複簽核。",
        "en": "The office's day is signed already.",
    },
    "office_day_conflict": {
        "zh-TW": "市府已以此編號記錄另一日的簽核，未重複記錄；請重新整理。",
        "en": "The city holds another sign-off under this key.",
    },
    "od_device_open": {
        "zh-TW": "設備 {device}（{name}）今日有收件但尚未日結：請該設備日結簽核，或寫明原因（至少 5 個字）。",
        "en": "Device {device} ({name}) took cases today and has not closed its day: close it or explain why.",
    },
    "od_close_short": {
        "zh-TW": "設備 {device} 的日結只列 {signed} 件，市府收到 {held} 件：請查明並寫明原因。",
        "en": "Device {device} signed {signed} cases; the city holds {held}: explain.",
    },
    "od_pending": {
        "zh-TW": "設備 {device} 日結時尚有 {pending} 件未送達市府（送達後列入本所統計）。",
        "en": "Device {device} had {pending} cases not yet at the city when it closed.",
    },
    "od_cash_diff": {
        "zh-TW": "設備 {device} 實點現金與應收相差 {diff} 元（該設備日結已說明）。",
        "en": "Device {device}: cash counted differs from cash expected by NT${diff} (explained at its close).",
    },
    "od_receipt_gap": {
        "zh-TW": "設備 {device} 的收據號碼有 {count} 號市府未收到：{numbers}（可能尚未上傳）。",
        "en": "Device {device}: {count} receipt numbers the city does not hold: {numbers} (maybe not sent yet).",
    },
    "od_not_seen": {
        "zh-TW": "設備 {device} 今日未與市府連線，統計可能不完整。",
        "en": "Device {device} has not reached the city today: the figures may be incomplete.",
    },
    "step_case_closed": {
        "zh-TW": "本案已{status}，不能再記錄處理步驟。",
        "en": "The case is already {status}; no further step can be recorded.",
    },
    "step_not_allowed": {
        "zh-TW": "本案目前為「{status}」，不能改為「{step}」。",
        "en": "A case that is {status} cannot go to {step}.",
    },
    "step_reason_short": {
        "zh-TW": "駁回須寫明理由（至少 {min} 個字），將告知申請人。",
        "en": "A rejection needs a reason of at least {min} characters (the applicant is told).",
    },
    "step_owed_missing": {
        "zh-TW": "補件須列出應補文件（最多 {max} 項）及補正期限。",
        "en": "A request for documents names what is owed (at most {max}) and by when.",
    },
    "step_owed_past": {
        "zh-TW": "補正期限須晚於今天。",
        "en": "The date to bring the documents must be after today.",
    },
    "step_owed_extra": {
        "zh-TW": "只有補件才列應補文件與期限。",
        "en": "Only a request for documents lists documents and a date.",
    },
    "step_case_changed": {
        "zh-TW": "本案剛由他人更新，請按 F5 重新整理後再試。",
        "en": "Someone else just moved the case on; refresh and try again.",
    },
    "step_invalid": {
        "zh-TW": "市府未接受此處理步驟：案件已結案或狀態已變更，或補正期限不晚於市府今日，請按 F5 重新整理後再試。",
        "en": "The city did not accept the step: the case is closed or moved on, or the date is not after today.",
    },
    "step_conflict": {
        "zh-TW": "市府已記錄另一個處理步驟，未重複記錄；請按 F5 重新整理。",
        "en": "The city holds another step under this key; nothing was recorded twice.",
    },
    "override_reason_short": {
        "zh-TW": "請寫明核准理由（至少 {min} 個字）。",
        "en": "Write the reason for the override (at least {min} characters).",
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
    "consumption_ok": {
        "zh-TW": "家庭平均每人每月收入 {income} 元，未超過平均每人每月消費支出 {multiple} 倍（{limit} 元）。",
        "en": "Income per person {income} is within {multiple} × average consumption ({limit}).",
    },
    "consumption_over": {
        "zh-TW": "家庭平均每人每月收入 {income} 元，超過平均每人每月消費支出 {multiple} 倍（{limit} 元）。",
        "en": "Income per person {income} exceeds {multiple} × average consumption ({limit}).",
    },
    "consumption_unknown": {
        "zh-TW": "尚無{year}年度平均每人每月消費支出標準，無法判定（待市府公告）。",
        "en": "No average consumption figure for ROC year {year} yet: cannot decide.",
    },
    "field_in_ok": {"zh-TW": "{label}：{value}。", "en": "{label}: {value}."},
    "field_in_other": {"zh-TW": "{label}：{value}，不符本項目條件。", "en": "{label}: {value} does not qualify."},
    "rule_field_in": {"zh-TW": "書面證明", "en": "Paper shown"},
    "rule_consumption_at_most": {"zh-TW": "消費支出標準", "en": "Consumption cap"},
    "age_ok": {
        "zh-TW": "年滿{min_age}歲（{age}歲，{eligible_from}起）。",
        "en": "Aged {min_age} or over ({age}, since {eligible_from}).",
    },
    "age_under": {
        "zh-TW": "未滿{min_age}歲（{age}歲），{eligible_from}起符合。",
        "en": "Under {min_age} ({age}): eligible from {eligible_from}.",
    },
    "age_within": {"zh-TW": "年齡 {age} 歲，未逾 {max_age} 歲。", "en": "Aged {age}, not over {max_age}."},
    "age_over": {"zh-TW": "年齡 {age} 歲，已逾 {max_age} 歲。", "en": "Aged {age}, over {max_age}."},
    "sex_ok": {"zh-TW": "性別為{sex}性。", "en": "Sex matches ({sex})."},
    "sex_mismatch": {"zh-TW": "本項目限{sex}性申請。", "en": "Only for applicants of sex {sex}."},
    "child_ok": {
        "zh-TW": "戶內有未滿 {years} 歲兒童 {count} 名。",
        "en": "{count} child(ren) under {years} in the household.",
    },
    "child_none": {"zh-TW": "戶內無未滿 {years} 歲兒童。", "en": "No child under {years} in the household."},
    "alone_ok": {"zh-TW": "戶籍登記為獨居。", "en": "Registered as living alone."},
    "alone_not": {"zh-TW": "戶內共 {size} 人，非獨居。", "en": "{size} people in the household; not living alone."},
    "indigenous_ok": {"zh-TW": "具原住民身分。", "en": "Indigenous status registered."},
    "indigenous_not": {"zh-TW": "戶籍無原住民身分註記。", "en": "No indigenous status in the register."},
    "disability_ok": {
        "zh-TW": "領有身心障礙證明（{level}，效期至{expires}）。",
        "en": "Holds a disability certificate ({level}, valid until {expires}).",
    },
    "disability_none": {"zh-TW": "查無身心障礙證明。", "en": "No disability certificate on record."},
    "disability_expired": {
        "zh-TW": "身心障礙證明已於{expires}到期，請先辦理重新鑑定。",
        "en": "The disability certificate expired on {expires}; reassessment first.",
    },
    "disability_record_ok": {
        "zh-TW": "有身心障礙證明紀錄（{level}）。",
        "en": "Disability certificate on record ({level}).",
    },
    "need_ok": {"zh-TW": "證明註記「{need}」。", "en": "Certificate notes '{need}'."},
    "need_missing": {"zh-TW": "證明未註記「{need}」。", "en": "Certificate does not note '{need}'."},
    "category_ok": {"zh-TW": "障礙類別：{category}。", "en": "Disability category: {category}."},
    "category_other": {
        "zh-TW": "障礙類別為{category}，本項目限{allowed}（或檢附醫師診斷證明）。",
        "en": "Category {category}; this service is for {allowed} (or with a doctor's certificate).",
    },
    "welfare_ok": {"zh-TW": "福利身分：{status}。", "en": "Welfare status: {status}."},
    "welfare_other": {
        "zh-TW": "福利身分為{status}，本項目限{allowed}。",
        "en": "Welfare status {status}; this service is for {allowed}.",
    },
    "income_ok": {
        "zh-TW": "家庭平均每人每月收入 {income} 元，未超過最低生活費 {multiple} 倍（{limit} 元）。",
        "en": "Income NT${income} per person per month, within {multiple}× the minimum living cost (NT${limit}).",
    },
    "income_over": {
        "zh-TW": "家庭平均每人每月收入 {income} 元，超過最低生活費 {multiple} 倍（{limit} 元）。",
        "en": "Income NT${income} per person per month exceeds {multiple}× the minimum living cost (NT${limit}).",
    },
    "threshold_unknown": {
        "zh-TW": "尚未收錄民國{year}年最低生活費，所得條件待承辦人審查。",
        "en": "The minimum living cost for ROC year {year} is not on file; the income test awaits review.",
    },
    "tax_no_record": {"zh-TW": "查無財稅資料，待承辦人審查。", "en": "No tax record; awaits review."},
    "house_none_ok": {"zh-TW": "查無自有住宅。", "en": "Owns no house."},
    "house_owned": {"zh-TW": "名下已有自有住宅。", "en": "Already owns a house."},
    "house_owned_ok": {"zh-TW": "名下有自有住宅。", "en": "Owns the house."},
    "house_none": {"zh-TW": "名下查無自有住宅。", "en": "Owns no house."},
    "farmhouse_as_expected": {
        "zh-TW": "財產資料{state}自用農舍，符合。",
        "en": "Farmhouse on record: {state}; as required.",
    },
    "farmhouse_not_expected": {
        "zh-TW": "財產資料{state}自用農舍，不符。",
        "en": "Farmhouse on record: {state}; not as required.",
    },
    "military_ok": {"zh-TW": "兵役狀況：{status}。", "en": "Military service status: {status}."},
    "military_other": {
        "zh-TW": "兵役狀況為「{status}」，本項目限{allowed}。",
        "en": "Military status '{status}'; this service is for {allowed}.",
    },
    "field_missing": {"zh-TW": "請填寫{label}。", "en": "Fill in {label}."},
    "event_in_future": {"zh-TW": "{label}不能晚於今天。", "en": "{label} cannot be in the future."},
    "event_recent": {"zh-TW": "{label}（{date}）在 {days} 日內。", "en": "{label} ({date}) within {days} days."},
    "event_too_old": {
        "zh-TW": "{label}（{date}）已超過 {days} 日申請期限。",
        "en": "{label} ({date}) is past the {days}-day limit.",
    },
    "ahead_ok": {
        "zh-TW": "{label}（{date}）在 {low} 至 {high} 日內。",
        "en": "{label} ({date}) is {low}–{high} days ahead.",
    },
    "ahead_outside": {
        "zh-TW": "{label}（{date}）須在申請日後 {low} 至 {high} 日之間。",
        "en": "{label} ({date}) must be {low} to {high} days after today.",
    },
    "window_open": {"zh-TW": "受理期間 {start} 至 {end}。", "en": "Open from {start} to {end}."},
    "window_closed": {
        "zh-TW": "不在受理期間（每年 {start} 至 {end}）。",
        "en": "Outside the application period ({start} to {end} each year).",
    },
    "any_of_failed": {"zh-TW": "不符合：{label}（{why}）。", "en": "Not met: {label} ({why})."},
    "any_of_unknown": {"zh-TW": "待查驗：{label}。", "en": "Pending: {label}."},
    "tax_unavailable": {"zh-TW": "財稅資料暫時無法查驗，連線後再查。", "en": "Tax look-up could not run; pending."},
    "disability_unavailable": {
        "zh-TW": "身障資料暫時無法查驗，連線後再查。",
        "en": "Disability look-up could not run; pending.",
    },
    "welfare_unavailable": {
        "zh-TW": "低收／中低收資料暫時無法查驗，連線後再查。",
        "en": "Welfare look-up could not run; pending.",
    },
    "military_unavailable": {
        "zh-TW": "役政資料暫時無法查驗，連線後再查。",
        "en": "Military look-up could not run; pending.",
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
    "rule_age_at_most": {"zh-TW": "年齡上限", "en": "Maximum age"},
    "rule_sex_is": {"zh-TW": "性別", "en": "Sex"},
    "rule_household_has_member_under": {"zh-TW": "戶內幼兒", "en": "Young child"},
    "rule_lives_alone": {"zh-TW": "獨居", "en": "Living alone"},
    "rule_indigenous": {"zh-TW": "原住民身分", "en": "Indigenous status"},
    "rule_has_disability": {"zh-TW": "身障證明", "en": "Disability certificate"},
    "rule_disability_certificate_exists": {"zh-TW": "身障證明紀錄", "en": "Certificate record"},
    "rule_disability_need": {"zh-TW": "證明註記", "en": "Certificate note"},
    "rule_disability_category_in": {"zh-TW": "障礙類別", "en": "Disability category"},
    "rule_welfare_status_in": {"zh-TW": "福利身分", "en": "Welfare status"},
    "rule_income_at_most": {"zh-TW": "所得", "en": "Income"},
    "rule_owns_house": {"zh-TW": "自有住宅", "en": "Home ownership"},
    "rule_owns_farmhouse": {"zh-TW": "自用農舍", "en": "Farmhouse"},
    "rule_military_status_in": {"zh-TW": "兵役", "en": "Military service"},
    "rule_field_within_days": {"zh-TW": "申請期限", "en": "Deadline"},
    "rule_field_days_ahead": {"zh-TW": "日期", "en": "Date"},
    "rule_date_in_window": {"zh-TW": "受理期間", "en": "Application period"},
    "rule_any_of": {"zh-TW": "資格條件", "en": "Qualifying condition"},
    # Look-up kinds
    "lookup_household": {"zh-TW": "戶籍", "en": "household registration"},
    "lookup_tax": {"zh-TW": "財稅", "en": "tax"},
    "lookup_disability": {"zh-TW": "身障", "en": "disability"},
    "lookup_welfare": {"zh-TW": "低收／中低收", "en": "welfare status"},
    "lookup_military": {"zh-TW": "役政", "en": "military service"},
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
    "tls_failed": {
        "zh-TW": "市府伺服器的憑證無法驗證（非受信任的憑證或主機名稱不符），已中止連線，未傳送任何資料。",
        "en": "The city server's certificate could not be verified; the connection was dropped and nothing was sent.",
    },
    "offline_login_unknown": {
        "zh-TW": "此電腦尚未以此帳號連線登入過，無法離線登入。",
        "en": "This account has never logged in online on this computer; offline log-in is not possible.",
    },
    "offline_login_expired": {
        "zh-TW": "已超過 {days} 天未與市府伺服器連線，請先連線登入。",
        "en": "No contact with the city server for over {days} days; log in online first.",
    },
    "offline_login_locked": {
        "zh-TW": "密碼錯誤次數過多，請於 {until} 後再試。",
        "en": "Too many wrong passwords; try again after {until}.",
    },
    "sync_busy": {"zh-TW": "另一個同步正在進行中。", "en": "Another sync is running."},
    "login_needed": {"zh-TW": "請重新登入。", "en": "Please log in again."},
    "auth_failed": {"zh-TW": "登入失敗：帳號或密碼不正確。", "en": "Log-in failed: wrong user name or password."},
    "request_rejected": {
        "zh-TW": "伺服器拒絕此請求：{detail}",
        "en": "The server rejected the request: {detail}",
    },
    "push_conflict": {
        "zh-TW": "伺服器上已有同編號但內容不同的案件，需人工處理。",
        "en": "The server holds a different case under the same id; needs a person to resolve.",
    },
    "backlog_warning": {
        "zh-TW": "尚有 {pending} 件未上傳（最久已 {days} 天），請盡快連線同步。",
        "en": "{pending} cases wait for upload (oldest {days} days); sync soon.",
    },
    "backlog_blocked": {
        "zh-TW": "離線已 {days} 天，超過 {limit} 天上限：請先連線同步，才能繼續受理新案件。",
        "en": "Offline for {days} days, over the {limit}-day limit: sync before taking new cases.",
    },
    "supervisor_not_verified": {
        "zh-TW": "無法確認主管身分：帳號或密碼不符、非本所主管，或（離線時）此主管未曾在本機連線核可或登入。",
        "en": "Could not verify the supervisor (wrong credentials, not of this office, or, offline, never "
        "approved or signed in online on this computer).",
    },
    "clock_skew": {
        "zh-TW": "本機時鐘與市府伺服器相差約 {minutes} 分鐘，請校正電腦時間（案件仍會保存兩邊的時間）。",
        "en": "This computer's clock is about {minutes} minutes off the city server's; please correct it.",
    },
    "store_sealed": {
        "zh-TW": "本機資料無法解密（{column}）：金鑰不符或資料遭更動，請通報資訊窗口。",
        "en": "A local value does not decrypt ({column}): wrong key or altered data.",
    },
    "db_too_new": {
        "zh-TW": "本機資料庫由較新版本的程式建立（版本 {revision}），請先更新本程式。",
        "en": "The local database was made by a newer version ({revision}); update the application first.",
    },
    "ledger_damaged": {
        "zh-TW": "本機帳本檔已損毀（{detail}）。為免資料錯亂，本機不再寫入任何資料，損毀的檔案原樣保留；"
        "請主管執行「自市府重建帳本」（counterdesk recover），已送達市府的案件都能取回。",
        "en": "The local ledger file is damaged ({detail}). Nothing more is written to it and the damaged file is "
        "kept as it is; a supervisor rebuilds the ledger from the city (counterdesk recover).",
    },
    "ledger_unreadable": {
        "zh-TW": "本機帳本有資料無法讀取（{where}），檔案可能已損毀：本機已停止寫入，請主管執行「自市府重建帳本」"
        "（counterdesk recover）。",
        "en": "Part of the local ledger cannot be read ({where}); the file may be damaged. Nothing more is written; "
        "a supervisor rebuilds the ledger from the city (counterdesk recover).",
    },
    "ledger_behind": {
        "zh-TW": "本機帳本比已發出的號碼舊（{detail}）：可能自舊備份還原、檔案遺失或損毀。為免號碼重複，本機暫停受理；"
        "請連線後按「同步」（F9），自市府取回本機資料後即可繼續。",
        "en": "The local ledger is behind numbers already issued ({detail}): restored from an older copy, lost or "
        "damaged. No case is taken until it has pulled back what the city holds (sync, F9).",
    },
    "ledger_other": {
        "zh-TW": "市府記錄本設備目前使用另一份帳本（設定檔可能被複製到另一台電腦）。為免號碼重複，本機暫停受理；"
        "請主管處理：以「自市府重建帳本」接手本設備，或將本機重新登記為新設備。",
        "en": "The city knows another ledger for this device (a copied profile?). No case is taken until a "
        "supervisor rebuilds this one from the city or enrols this PC as a new device.",
    },
    "recover_supervisor_only": {
        "zh-TW": "重建帳本須由本所主管登入執行。",
        "en": "Only a supervisor of this office may rebuild the ledger.",
    },
    "recover_not_enrolled": {
        "zh-TW": "本機尚未向市府登記（找不到設備資料），無法重建帳本；請先以一次性登記碼登記。",
        "en": "This PC is not enrolled with the city; it cannot rebuild a ledger.",
    },
    "store_failed": {
        "zh-TW": "無法寫入本機資料庫（{detail}），本案未受理，請勿交付收據。",
        "en": "Could not write to the local database ({detail}); the case was NOT saved.",
    },
    # Voids and the day close
    "day_closed": {
        "zh-TW": "該營業日已日結簽核，不能再變更；請以「更正」登錄（會連結原日結）。",
        "en": "That day is signed off and cannot change; record a correction (linked to the signed close).",
    },
    "intake_day_closed": {
        "zh-TW": "本日已日結簽核，本機今日不能再受理新案件（本案未受理）；如需受理請洽主管。",
        "en": "Today is signed off on this computer; no new case can be taken today (this one was not saved).",
    },
    "intake_day_closed_clock": {
        "zh-TW": "本機時鐘的日期是 {day}，該日已日結簽核，不能受理（本案未受理）；但市府伺服器的日期是 {city_day}："
        "本機時鐘差了約 {minutes} 分鐘，請先校正電腦時間。",
        "en": "This computer's date is {day}, which is signed off; the city's date is {city_day}: the clock is about "
        "{minutes} minutes off. Correct it first (this case was not saved).",
    },
    "dc_day_not_begun": {
        "zh-TW": "市府伺服器的日期是 {city_day}，{day} 尚未開始，不能日結："
        "本機時鐘快了約 {minutes} 分鐘，請校正電腦時間。",
        "en": "At the city it is still {city_day}; {day} has not begun. This computer's clock is about {minutes} "
        "minutes fast; correct it first.",
    },
    "day_already_closed": {
        "zh-TW": "本日已日結簽核。",
        "en": "This day is already signed off.",
    },
    "day_not_closed": {
        "zh-TW": "該營業日尚未日結，請直接作廢或修正，不需更正登錄。",
        "en": "That day is not signed off; void or change it directly.",
    },
    "void_twice": {
        "zh-TW": "這張收據已經作廢。",
        "en": "This receipt is already void.",
    },
    "correction_case": {
        "zh-TW": "所選案件不屬於要更正的營業日。",
        "en": "The case does not belong to the day being corrected.",
    },
    "fu_recheck_failed": {
        "zh-TW": "連線後查驗不符資格：請聯絡申請人說明結果，記錄「已處理」；如申請人撤回，請「作廢收據」。",
        "en": "Not eligible after the deferred look-ups: tell the applicant, then record how it was handled.",
    },
    "fu_recheck_failed_fee": {
        "zh-TW": (
            "連線後查驗不符資格，已收規費 {fee} 元：請聯絡申請人，退費並「作廢收據」；"
            "申請人仍要求受理時，記錄「已處理」。"
        ),
        "en": "Not eligible after the deferred look-ups; NT${fee} was taken: refund and void, or record handling.",
    },
    "follow_up_note": {
        "zh-TW": "請寫明如何處理（{min}～{max} 個字），例如「已電話通知申請人」。",
        "en": "Say how it was handled ({min} to {max} characters).",
    },
    "follow_up_unknown": {
        "zh-TW": "此案件沒有待處理的事項（可能已由他人處理）。",
        "en": "This case has no open follow-up.",
    },
    "dc_follow_up": {
        "zh-TW": "需處理的案件 {n} 件尚未處理：{numbers}",
        "en": "{n} cases still need follow-up: {numbers}",
    },
    "printer_unavailable": {
        "zh-TW": (
            "印表機「{printer}」無法使用，未列印；文件已存為 PDF（{file}），可按 Ctrl+P 重印，或至「設定→印表機」改選。"
        ),
        "en": "Printer {printer} is not available; nothing printed. The PDF is kept ({file}).",
    },
    "print_failed": {
        "zh-TW": "送往印表機「{printer}」失敗，未列印；文件已存為 PDF（{file}），請檢查印表機後按 Ctrl+P 重印。",
        "en": "Printing on {printer} failed. The PDF is kept ({file}).",
    },
    "setting_invalid": {
        "zh-TW": "設定值不正確（{key}）。",
        "en": "Invalid setting ({key}).",
    },
    "review_csv_empty": {
        "zh-TW": "檔案中沒有任何身分證統一編號。",
        "en": "The file holds no ID numbers.",
    },
    "review_csv_too_long": {
        "zh-TW": "名單超過 {limit} 筆，請分批處理。",
        "en": "More than {limit} rows; split the list.",
    },
    "review_csv_duplicate": {
        "zh-TW": "與前面的列重複。",
        "en": "Repeats an earlier row.",
    },
    "review_csv_bad_rows": {
        "zh-TW": "名單有 {count} 列不正確，整份未匯入：{rows}",
        "en": "{count} row(s) are wrong; nothing was imported: {rows}",
    },
    "review_moved_out": {"zh-TW": "遷出本市或查無戶籍", "en": "Moved out of the city / not registered"},
    "review_certificate_expired": {"zh-TW": "身障證明逾期", "en": "Disability certificate expired"},
    "review_no_longer_eligible": {"zh-TW": "不再符合資格", "en": "No longer eligible"},
    "review_unknown": {"zh-TW": "無法查驗（稍後再試）", "en": "Could not be checked"},
    "review_still_eligible": {"zh-TW": "仍符合資格", "en": "Still eligible"},
    "review_nothing_to_do": {
        "zh-TW": "本機沒有這個項目的受益人案件，請改用名單檔（CSV）。",
        "en": "No beneficiaries of this service on this computer; use a list file (CSV).",
    },
    "review_service_unsuited": {
        "zh-TW": "這個項目需要臨櫃填寫的資料，無法批次複查。",
        "en": "This service needs details typed at the counter; it cannot be re-checked in bulk.",
    },
    "dc_receipt_gap": {
        "zh-TW": "收據號碼缺漏：{numbers}",
        "en": "Receipt numbers missing: {numbers}",
    },
    "dc_audit_break": {
        "zh-TW": "查驗稽核軌跡第 {seq} 筆起遭更動或刪除，請通報資安窗口",
        "en": "The look-up audit trail was altered from entry {seq}; report it",
    },
    "dc_not_compared": {
        "zh-TW": "無法連線市府伺服器，未能比對本日案件",
        "en": "The city server could not be reached; the day was not compared",
    },
    "dc_only_server": {
        "zh-TW": "市府伺服器有 {n} 件本機沒有的案件",
        "en": "The city holds {n} case(s) this device does not",
    },
    "dc_only_device": {
        "zh-TW": "本機已送出但市府伺服器沒有：{numbers}（已可重新上傳）",
        "en": "Delivered here but missing at the city: {numbers}",
    },
    "dc_differing": {
        "zh-TW": "與市府伺服器內容不一致：{numbers}",
        "en": "Different content at the city: {numbers}",
    },
    "dc_pending_sync": {
        "zh-TW": "尚有 {n} 件未送達市府",
        "en": "{n} case(s) not yet at the city",
    },
    "dc_void": {
        "zh-TW": "作廢收據 {receipt}：{reason}",
        "en": "Voided receipt {receipt}: {reason}",
    },
    "dc_overdue": {
        "zh-TW": "逾期未結案件 {n} 件",
        "en": "{n} unfinished case(s) past their due date",
    },
    "dc_due_soon": {
        "zh-TW": "即將到期案件 {n} 件（兩個工作天內）",
        "en": "{n} case(s) due within two working days",
    },
    "dc_cash_missing": {
        "zh-TW": "請輸入 {clerk} 的實點現金。",
        "en": "Enter the cash counted for {clerk}.",
    },
    "dc_cash_explain": {
        "zh-TW": "{clerk} 的現金差額 {diff} 元，請寫明原因後再簽核。",
        "en": "Cash for {clerk} differs by NT${diff}; explain it before signing.",
    },
    "step_papers_waiting": {
        "zh-TW": "收件公所寄送的文件尚未到件（{names}），到件登錄後才能核准。",
        "en": "Paper sent on by the receiving office has not arrived ({names}); mark it arrived before approving.",
    },
    "arrival_nothing": {"zh-TW": "本案沒有隨案寄送的紙本文件", "en": "No paper travels with this case"},
    "arrival_empty": {"zh-TW": "請勾選已到件或註明未到件的文件", "en": "Mark at least one paper received or missing"},
    "arrival_unknown": {
        "zh-TW": "「{names}」不是本案隨案寄送的文件",
        "en": "{names}: not a paper sent with this case",
    },
    "arrival_twice": {
        "zh-TW": "「{names}」不能同時登錄為已到件與未到件",
        "en": "{names}: marked both received and missing",
    },
    "arrival_already": {
        "zh-TW": "「{names}」已登錄到件，不能改為未到件",
        "en": "{names} arrived already and cannot be marked missing",
    },
    "arrival_note_short": {
        "zh-TW": "未到件請寫明情形（至少 {min} 個字），以便收件公所追查",
        "en": "Say what happened to the missing paper (at least {min} characters)",
    },
    "dc_cash_pieces": {
        "zh-TW": "{clerk} 依面額點收合計 {pieces} 元，與實點現金 {counted} 元不符，請重新點收。",
        "en": "The notes and coins counted for {clerk} add up to NT${pieces}, not the NT${counted} entered.",
    },
    "cash_denomination": {
        "zh-TW": "{denomination} 元不是流通中的新臺幣面額",
        "en": "NT${denomination} is not a denomination in circulation",
    },
    "cash_pieces_bad": {
        "zh-TW": "{denomination} 元的張（枚）數請輸入 0 至 {max} 的整數",
        "en": "Enter a whole number from 0 to {max} for NT${denomination}",
    },
    "dc_note_required": {
        "zh-TW": "本日有差異事項，請於「主管說明」寫明處理情形（至少 {min} 個字）後再簽核。",
        "en": "There are discrepancies: write how they were handled (at least {min} characters) before signing.",
    },
    # Devices, log-in and the city's refusals (issue 10: the city trusts nothing it cannot verify)
    "server_url_invalid": {
        "zh-TW": "市府伺服器網址不正確（{url}）：應為 https://主機名稱。",
        "en": "Not a server address ({url}): expected https://host.",
    },
    "server_url_insecure": {
        "zh-TW": "市府伺服器網址必須使用 https（{url}）：以 http 連線，密碼與登入憑證會以明文在網路上傳送。"
        "僅本機測試（127.0.0.1）可用 http。",
        "en": "The city server must be reached over https ({url}); plain http is allowed on this machine only.",
    },
    "config_unreadable": {
        "zh-TW": "設定檔 {file} 無法讀取：{why}。請資訊人員修正後再開啟；程式未啟動，也未變更任何資料。",
        "en": "The settings file {file} cannot be read: {why}. Nothing was started or changed.",
    },
    "config_key_unknown": {
        "zh-TW": "設定檔 {file} 有不認得的項目「{key}」（可用的項目：{known}）。請修正後再開啟。",
        "en": "The settings file {file} has an unknown key '{key}' (known: {known}).",
    },
    "config_machine_only": {
        "zh-TW": "「{key}」只能由資訊人員寫在本機共用設定檔 {machine}，不能寫在個人設定檔 {file}。"
        "請自個人設定檔刪除此項。",
        "en": "'{key}' may only be set in the machine file {machine}, not in the user's file {file}.",
    },
    "config_value_invalid": {
        "zh-TW": "設定檔 {file} 的「{key}」值 {value} 不正確：{why}。請修正後再開啟。",
        "en": "In {file}, '{key}' = {value} is not valid: {why}.",
    },
    "config_option_invalid": {
        "zh-TW": "命令列選項 {option} 的值 {value} 不正確：{why}。",
        "en": "The command-line option {option} = {value} is not valid: {why}.",
    },
    "config_office_mismatch": {
        "zh-TW": "此電腦的設定檔指定為機關 {configured}，但登記於 {enrolled}（{name}）。"
        "請資訊人員確認設定檔或重新登記。",
        "en": "This PC is configured for office {configured} but enrolled with {enrolled} ({name}).",
    },
    "see_log": {"zh-TW": "詳見紀錄檔：{file}", "en": "see the log file: {file}"},
    "crash_shown": {
        "zh-TW": "程式發生未預期的錯誤（{kind}），已寫入紀錄檔：\n{file}\n\n"
        "已受理的案件都存在本機帳本中，不會遺失。請記下畫面上正在做的事，若再發生請洽資訊人員並提供紀錄檔。",
        "en": "An unexpected error ({kind}) was written to the log file:\n{file}\n\n"
        "Accepted cases are safe in the ledger on this PC. If it happens again, give IT staff the log file.",
    },
    "client_outdated": {
        "zh-TW": "請更新：此電腦的 Counterdesk 為 {current} 版，市府伺服器要求 {required} 以上版本。{where}"
        "更新前案件仍保存在本機，不會遺失；請洽資訊人員安裝新版。",
        "en": "Please update: this Counterdesk is {current}; the city server requires {required} or newer. {where}"
        "Cases stay safe on this PC until then.",
    },
    "update_available": {
        "zh-TW": "有新版 Counterdesk {latest} 可安裝（此電腦為 {current} 版），請洽資訊人員更新。",
        "en": "Counterdesk {latest} is available (this PC runs {current}); ask IT staff to install it.",
    },
    "client_update_where": {
        "zh-TW": "最新版為 {latest}，安裝程式：{installer}。",
        "en": "The newest release is {latest}; installer: {installer}.",
    },
    "not_enrolled": {
        "zh-TW": "這台電腦尚未向市府登記，請先以一次性登記碼登記。",
        "en": "This computer is not enrolled with the city; enrol it with a one-time code first.",
    },
    "enrolled_elsewhere": {
        "zh-TW": "這台電腦已登記於 {server}；如要改接其他伺服器，請由資訊人員重新登記。",
        "en": "This computer is enrolled with {server}; IT staff must enrol it again for another server.",
    },
    "enrolment_damaged": {
        "zh-TW": "本機的設備登記資料（device.json）已損壞，請重新登記。",
        "en": "This computer's enrolment file is damaged; enrol it again.",
    },
    "enrolment_keys_missing": {
        "zh-TW": "找不到設備 {device} 的金鑰（系統金鑰圈已清除），請重新登記這台電腦。",
        "en": "The keys of device {device} are gone from the keyring; enrol this computer again.",
    },
    "enrol_code_invalid": {
        "zh-TW": "登記碼不正確、已使用過或已逾期，請向主管或資訊人員索取新的登記碼。",
        "en": "The enrolment code is wrong, used or expired; ask for a new one.",
    },
    "enrol_locked": {
        "zh-TW": "登記碼錯誤次數過多，請 15 分鐘後再試。",
        "en": "Too many wrong enrolment codes; try again in 15 minutes.",
    },
    "enrol_proof_invalid": {
        "zh-TW": "登記資料驗證失敗，請重新操作。",
        "en": "The enrolment request did not verify; try again.",
    },
    "key_in_use": {
        "zh-TW": "此金鑰已登記於其他設備，無法重複使用。",
        "en": "This key is already enrolled for another device.",
    },
    "device_revoked": {
        "zh-TW": "這台電腦已被停用（主管或市府已撤銷登記），無法再與市府連線；本機資料仍保留，請洽主管。",
        "en": "This computer was revoked by a supervisor or the city; it can no longer connect.",
    },
    "device_disabled": {
        "zh-TW": "這台電腦已被市府暫停使用，暫時無法連線；本機資料仍保留，恢復後會自動上傳，請洽主管。",
        "en": "The city has paused this computer; it cannot connect for now. Local data is kept.",
    },
    "user_disabled": {
        "zh-TW": "此帳號已被停用，請洽主管或市府資訊人員。",
        "en": "This account is disabled; ask a supervisor or the city's IT staff.",
    },
    "device_proof_invalid": {
        "zh-TW": "這台電腦的登記金鑰無法通過市府驗證，請洽資訊人員重新登記。",
        "en": "This computer's enrolment key did not verify; ask IT to enrol it again.",
    },
    "challenge_invalid": {
        "zh-TW": "登入驗證已逾時，請再試一次。",
        "en": "The log-in challenge expired; try again.",
    },
    "refresh_reused": {
        "zh-TW": "登入憑證曾被他處重複使用，為安全起見已全部失效，請重新登入並通報主管。",
        "en": "The log-in token was used twice; all of them were revoked. Log in again and tell a supervisor.",
    },
    "refresh_invalid": {"zh-TW": "登入已過期，請重新登入。", "en": "The log-in expired; log in again."},
    "login_locked": {
        "zh-TW": "失敗次數過多，帳號暫時鎖定，請約 {minutes} 分鐘後再試。",
        "en": "Too many failures; the account is locked for about {minutes} minutes.",
    },
    "device_other_office": {
        "zh-TW": "此帳號不屬於這台電腦登記的區公所。",
        "en": "This account does not belong to the office this computer is enrolled with.",
    },
    "approval_refused": {
        "zh-TW": "主管核可未通過：帳號或密碼不符，或非本所主管。",
        "en": "Not approved: wrong supervisor name or password, or not a supervisor of this office.",
    },
    "supervisor_locked": {
        "zh-TW": "主管密碼在本機錯誤次數過多，請於 {until} 後再試。",
        "en": "Too many wrong supervisor passwords on this computer; try again after {until}.",
    },
    "lookup_quota_exceeded": {
        "zh-TW": "今日查驗次數已達上限，已通報資安窗口；如有需要請洽主管。",
        "en": "The daily look-up limit is reached (reported); ask a supervisor.",
    },
    "lookup_not_for_purpose": {
        "zh-TW": "此申辦項目不需要查詢這項資料，市府已拒絕。",
        "en": "This service does not need that register; the city refused.",
    },
    "lookup_case_not_yours": {
        "zh-TW": "此案件屬於其他設備，不能以它的名義查詢。",
        "en": "That case belongs to another device.",
    },
    "batch_quota_exceeded": {
        "zh-TW": "本所今日批次複查人數已達上限，請明日再繼續（已完成的部分都已保存）。",
        "en": "The office's daily re-verification limit is reached; continue tomorrow (done work is kept).",
    },
    "review_list_unknown": {
        "zh-TW": "複查名單尚未向市府登錄，請重新開始複查。",
        "en": "The review list is not registered with the city; start again.",
    },
    "forbidden": {"zh-TW": "此帳號沒有這項權限。", "en": "This account may not do that."},
    # Why the city refused an item (shown in 需處理)
    "not_your_office": {"zh-TW": "案件的區公所與本機登記不符", "en": "Not this device's office"},
    "not_your_device": {"zh-TW": "案件的設備代號與本機登記不符", "en": "Not this device"},
    "case_number_prefix": {"zh-TW": "案件編號不是本機的編號", "en": "The case number is not this device's"},
    "receipt_number_prefix": {"zh-TW": "收據號碼不是本機的號碼", "en": "The receipt number is not this device's"},
    "case_number_taken": {
        "zh-TW": "市府已有另一件相同案件編號的案件（本機編號可能重複發出），請通報資訊窗口",
        "en": "The city holds another case under this case number; report it",
    },
    "receipt_number_taken": {
        "zh-TW": "市府已有另一件相同收據號碼的案件（本機號碼可能重複發出），請通報資訊窗口",
        "en": "The city holds another case under this receipt number; report it",
    },
    "approval_invalid": {"zh-TW": "主管核可無法驗證", "en": "The supervisor's approval does not verify"},
    "approval_mismatch": {
        "zh-TW": "主管核可與本筆資料不符（核可的事項、案件、日期或設備不同）",
        "en": "The approval is for another action, case, day or device",
    },
    "approval_expired": {
        "zh-TW": "主管核可已逾期，請主管重新核可後再送",
        "en": "The supervisor's approval expired before it reached the city",
    },
    "approval_used": {"zh-TW": "主管核可已用於其他資料", "en": "The approval was already used"},
    "approval_role": {
        "zh-TW": "核可者不是本所主管（市府登記的身分）",
        "en": "The approver is not a supervisor of this office at the city",
    },
    "approval_key_revoked": {
        "zh-TW": "主管在本機的核可金鑰已被撤銷",
        "en": "The supervisor's key on this device was revoked",
    },
    "day_close_figures": {
        "zh-TW": "日結數字與市府持有的案件不符",
        "en": "The day close's figures do not match what the city holds",
    },
    "day_close_invalid": {"zh-TW": "日結資料不完整", "en": "Incomplete day close"},
    "unknown_case": {"zh-TW": "市府查無此案件（或不屬於本機）", "en": "No such case of this device at the city"},
    "refund_exceeds_fee": {"zh-TW": "退費金額大於原收規費", "en": "The refund exceeds the fee"},
    "void_wrong_day": {"zh-TW": "作廢的營業日與案件不符", "en": "The void names another day than the case's"},
    "void_without_case": {"zh-TW": "作廢未指明案件", "en": "A void without its case"},
    "local_invalid": {
        "zh-TW": "本機資料格式不符（可能為舊版程式建立或檔案損壞），請通報資訊窗口",
        "en": "The queued data does not fit the format (older version or damage); report it",
    },
    "invalid": {"zh-TW": "資料格式不符市府規格", "en": "Does not fit the city's schema"},
}


# What the city's answer means for the clerk, and what to do next (a queue entry in 需處理).
STATUS_WORDS = {
    "conflict": "市府已有同一案件但內容不同",
    "rejected": "市府拒收此筆資料",
}
NEXT_STEPS = {
    "conflict": "請核對本機與市府資料，確認後「更正後重送」或「撤回」",
    "rejected": "請依原因「更正後重送」，或「撤回」並聯絡申請人",
}


def reason_text(reason: str, lang: str = DEFAULT_LANG) -> str:
    """A queue entry's stored reason ("rejected: case_number_taken", "conflict: …", "net_timeout") in words, with
    the next step where one is needed; a code this version has no words for is said as the status only (the raw
    reason stays in the log and the ledger)."""
    status, sep, rest = reason.partition(": ")
    if not sep:
        status, rest = "", reason
    code, _, detail = rest.partition(": ")
    if code in MESSAGES and "{" not in MESSAGES[code][lang]:
        words = MESSAGES[code][lang].rstrip("。")
        words = f"{words}（{detail}）" if detail else words
    elif status in STATUS_WORDS:
        words = STATUS_WORDS[status]  # a sentence that needs figures the stored reason does not keep: the status
    else:
        return reason
    step = NEXT_STEPS.get(status)
    return f"{words}；{step}。" if step else f"{words}。"


def text(code: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The text of a message code in a language, formatted with its parameters.

    An unknown code is a programming error and raises KeyError (a test checks every code used has text).
    """
    return MESSAGES[code][lang].format_map(_Given(params))


class _Given(dict[str, Any]):
    """A message's parameters; one a sentence gained later (a case stored before it had it) reads as ？, never as
    a crash on a reprint."""

    def __missing__(self, key: str) -> str:
        return "？"
