"""The public progress page: anyone holding a genuine receipt sees its case's status (zh-TW, no log-in); a forged,
altered or revoked-key code learns nothing. Rate-limited per client address (behind a trusted proxy: the citizen's,
not the proxy's).

A receipt signed by a key the city later revoked (a stolen laptop) still verifies when the city received its case
before the revocation; the page then says when the device was cut off. Anything received later does not verify.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cityserver.context import Db, ServerState, State, address, aware, now
from cityserver.db import CaseRow, CaseStepRow, DeviceKeyRow, DeviceRow, StatusEventRow
from cityserver.permissions import Allowed
from cityserver.reference import office_calendar, published_offices
from forms.casesteps import FINAL
from forms.clock import TAIPEI
from forms.ids import mask_id
from forms.progress import STAGES, Entry, Progress, progress
from forms.rocdate import format_roc
from sync.protocol.receipt_signing import same_code, short_code, split, verify

router = APIRouter()

_PAGE = {"text/html": {"schema": {"type": "string"}}}
# The public pages answer with pages, also when they refuse.
RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"description": "Not a genuine receipt (nothing about the case is shown)", "content": _PAGE},
    429: {"description": "Too many look-ups from this address; try again later", "content": _PAGE},
    422: {
        "description": "The request does not fit the schema",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    },
}
_PRINTABLE = re.compile(r"^[A-Za-z0-9\-_. ]*$")  # what a case number, a code or a signature can contain


# Readable on a phone (390 px) and on a desktop: one column, large type, the steps as a list.
STYLE = (
    "<style>body{font-family:'Noto Sans TC',sans-serif;font-size:17px;line-height:1.6;margin:0 auto;"
    "max-width:40rem;padding:1rem;color:#1b1b1b}h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}"
    "table{border-collapse:collapse;width:100%}th{text-align:left;white-space:nowrap;padding:.35rem .75rem .35rem 0;"
    "vertical-align:top;color:#444}td{padding:.35rem 0;overflow-wrap:anywhere}"
    ".stages{display:flex;gap:.25rem;list-style:none;padding:0;margin:1rem 0}"
    ".stages li{flex:1;text-align:center;padding:.4rem;border-radius:.3rem;background:#e8e8e8;color:#555}"
    ".stages li.done{background:#1b7f3b;color:#fff}.late{color:#b3261e;font-weight:bold}"
    ".owed{background:#fff4d6;padding:.5rem .75rem;border-radius:.3rem}"
    "ol.steps{padding-left:1.25rem}ol.steps time{font-variant-numeric:tabular-nums;margin-right:.5rem}"
    "label{display:block}input{display:block;box-sizing:border-box;width:100%;font-size:1.1rem;padding:.5rem;"
    "margin-top:.25rem}button{font-size:1.1rem;padding:.5rem 1.5rem}</style>"
)


def page(title: str, body: str, status: int) -> HTMLResponse:
    content = (
        '<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>{STYLE}</head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(content, status_code=status, headers={"Cache-Control": "no-store"})


FORM = (
    '<form method="get" action="/track"><p><label>案件編號 <input name="case" maxlength="64" required></label></p>'
    '<p><label>驗證碼 <input name="code" maxlength="12" placeholder="XXXX-XXXX" required></label></p>'
    "<p><button>查詢</button></p></form>"
    "<p>案件編號與驗證碼印在收件回執上；也可以用手機掃描回執上的 QR 碼。</p>"
)


def _revoked_before(cut_off: datetime | None, case: CaseRow) -> bool | None:
    """None: the key is valid; True: revoked, but the case reached the city before; False: received after."""
    if cut_off is None:
        return None
    return aware(case.received_at) < aware(cut_off)


def _genuine(db: Session, case: CaseRow, case_number: str, sig: str, code: str) -> tuple[bool, datetime | None]:
    """Whether the receipt is genuine, and when its device (or key) was revoked if it was. A receipt is genuine
    when its QR signature verifies with its device's key, or when the short code typed from it matches."""
    device = db.get(DeviceRow, case.device_id)
    device_cut = device.revoked_at if device is not None else None
    if code:
        ok = same_code(code, short_code(case.case_uuid, case_number))
        return ok and _revoked_before(device_cut, case) is not False, device_cut
    parts = split(sig)
    if parts is None:
        return False, None
    key_id, signature = parts
    key = db.get(DeviceKeyRow, key_id)
    if key is None or case.device_id != key.device_id:
        return False, None
    cut = min((t for t in (key.revoked_at, device_cut) if t is not None), default=None, key=aware)
    if _revoked_before(cut, case) is False:
        return False, None
    return verify(key.public_key, signature, case_number, json.loads(case.payload)["receipt_number"]), cut


def answer(db: Session, server: ServerState, allowed: bool, case_number: str, sig: str, code: str = "") -> HTMLResponse:
    if not allowed:
        return page("查詢過於頻繁", "<p>請稍後再試。</p>", 429)
    refused = page("無法驗證此收據", "<p>此查詢碼無法驗證。請確認為本市區公所開立之收據，或洽詢承辦單位。</p>", 404)
    if not all(_PRINTABLE.match(v) for v in (case_number, sig, code)):
        return refused
    case = db.scalar(select(CaseRow).where(CaseRow.case_number == case_number))
    if case is None:
        return refused
    genuine, revoked = _genuine(db, case, case_number, sig, code[:16])
    if not genuine:
        return refused
    shown = _progress(db, server, case)
    offices = published_offices(server.reference)
    deciding = case.assigned_office
    phone = offices.phone(deciding)
    rows = {
        "案件編號": case_number,
        "申辦項目": server.catalog.get(case.service_code).name_zh,
        "申請人": mask_id(case.national_id),
        "收件日期": format_roc(case.business_date),
        "收件單位": offices.name(case.office_code),
        "承辦單位": offices.name(deciding) + (f"（電話 {phone}）" if phone else ""),
        "辦理狀態": shown.now,
        "預定完成": _expected(shown, case.status),
    }
    if shown.owed_by is not None:
        rows["補正期限"] = f"{format_roc(shown.owed_by)}前"
    if revoked is not None:
        rows["收據設備"] = (
            f"開立之設備已於{format_roc(aware(revoked).astimezone(TAIPEI).date())}停用；本收據於停用前送達市府，仍屬有效"
        )
    body = _stages(shown) + "<table>"
    body += "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows.items())
    body += "</table>"
    if shown.late_by is not None:
        body += f'<p class="late">已逾預定完成日{_days(shown.late_by)}，請洽承辦單位。</p>'
    if shown.owed:
        items = "".join(f"<li>{html.escape(name)}</li>" for name in shown.owed)
        body += f'<div class="owed"><h2>請補齊下列文件</h2><ul>{items}</ul></div>'
    steps = "".join(
        f'<li><time datetime="{day.isoformat()}">{format_roc(day)}</time>{html.escape(words)}</li>'
        for day, words in shown.steps
    )
    body += f'<h2>辦理歷程</h2><ol class="steps">{steps}</ol>'
    return page("案件辦理進度", body, 200)


def _days(n: int) -> str:
    return f" {n} 個工作天" if n else ""


def _expected(shown: Progress, status: str) -> str:
    if status in FINAL:
        return "已辦結"
    if shown.expected is None:
        return "依承辦單位通知"
    if shown.owed_by is not None:
        return f"{format_roc(shown.expected)}（補件期間不計，將依補件完成日順延）"
    return format_roc(shown.expected) + ("（補件期間不計，已順延）" if shown.moved else "")


def _stages(shown: Progress) -> str:
    items = "".join(
        f'<li class="done">{name}</li>' if i <= shown.stage else f"<li>{name}</li>" for i, name in enumerate(STAGES)
    )
    return f'<ol class="stages" aria-label="辦理階段">{items}</ol>'


def _progress(db: Session, server: ServerState, case: CaseRow) -> Progress:
    rows = db.execute(
        select(StatusEventRow, CaseStepRow.owed, CaseStepRow.owed_by)
        .outerjoin(CaseStepRow, CaseStepRow.seq == StatusEventRow.seq)
        .where(StatusEventRow.case_uuid == case.case_uuid)
        .order_by(StatusEventRow.seq)
    ).all()
    history = [
        Entry(e.status, aware(e.at).astimezone(TAIPEI).date(), tuple(json.loads(owed)) if owed else (), owed_by)
        for e, owed, owed_by in rows
    ]
    due = json.loads(case.payload).get("due_date")
    today = now().astimezone(TAIPEI).date()
    calendar = office_calendar(db, server.reference, case.assigned_office)
    return progress(case.status, history, date.fromisoformat(due) if due else None, today, calendar)


@router.get("/track", response_class=HTMLResponse)
def track_form(request: Request, db: Db, server: State, _: Allowed, case: str = "", code: str = "") -> HTMLResponse:
    """By hand: the case number and the short code printed on the receipt."""
    if not case:
        return page("案件辦理進度查詢", FORM, 200)
    allowed = server.track_limiter.allow(address(request))
    return answer(db, server, allowed, case.strip()[:64], "", (code or "-")[:16])


@router.get("/track/{case_number}", response_class=HTMLResponse)
def track(case_number: str, request: Request, db: Db, server: State, _: Allowed, sig: str = "") -> HTMLResponse:
    allowed = server.track_limiter.allow(address(request))
    return answer(db, server, allowed, case_number[:64], sig[:200])
