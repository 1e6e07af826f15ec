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
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cityserver.context import Db, State, address, aware
from cityserver.db import CaseRow, DeviceKeyRow, DeviceRow
from cityserver.permissions import Allowed
from forms.catalog import Catalog
from forms.clock import TAIPEI
from forms.ids import mask_id
from forms.rocdate import format_roc
from sync.protocol.receipt_signing import same_code, short_code, split, verify

router = APIRouter()

STATUS_TEXT = {
    "收件": "已收件，等待承辦",
    "已轉送": "已轉送戶籍地區公所辦理",
    "審核中": "審核中",
    "補件": "需補件，請依一次告知單補齊文件",
    "核准": "已核准",
    "駁回": "未核准（駁回），詳見通知",
    "撤回": "已撤回（收據作廢）",
}
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


def page(title: str, body: str, status: int) -> HTMLResponse:
    content = (
        '<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
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


def answer(db: Session, catalog: Catalog, allowed: bool, case_number: str, sig: str, code: str = "") -> HTMLResponse:
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
    service = catalog.get(case.service_code).name_zh
    rows = {
        "案件編號": case_number,
        "申辦項目": service,
        "申請人": mask_id(case.national_id),
        "收件日期": format_roc(case.business_date),
        "辦理狀態": STATUS_TEXT.get(case.status, case.status),
    }
    if revoked is not None:
        rows["收據設備"] = (
            f"開立之設備已於{format_roc(aware(revoked).astimezone(TAIPEI).date())}停用；本收據於停用前送達市府，仍屬有效"
        )
    body = "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows.items())
    return page("案件辦理進度", body + "</table>", 200)


@router.get("/track", response_class=HTMLResponse)
def track_form(request: Request, db: Db, server: State, _: Allowed, case: str = "", code: str = "") -> HTMLResponse:
    """By hand: the case number and the short code printed on the receipt."""
    if not case:
        return page("案件辦理進度查詢", FORM, 200)
    allowed = server.track_limiter.allow(address(request))
    return answer(db, server.catalog, allowed, case.strip()[:64], "", (code or "-")[:16])


@router.get("/track/{case_number}", response_class=HTMLResponse)
def track(case_number: str, request: Request, db: Db, server: State, _: Allowed, sig: str = "") -> HTMLResponse:
    allowed = server.track_limiter.allow(address(request))
    return answer(db, server.catalog, allowed, case_number[:64], sig[:200])
