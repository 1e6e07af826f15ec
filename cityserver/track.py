"""The public progress page: anyone holding a genuine receipt sees its case's status (zh-TW, no log-in); a forged,
altered or revoked-key code learns nothing. Rate-limited per address."""

from __future__ import annotations

import html
import json
import threading
import time
from collections import defaultdict, deque

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cityserver.db import CaseRow, DeviceKeyRow
from forms.catalog import Catalog
from forms.ids import mask_id
from forms.rocdate import format_roc
from sync.receipt_signing import same_code, short_code, split, verify

STATUS_TEXT = {
    "收件": "已收件，等待承辦",
    "已轉送": "已轉送戶籍地區公所辦理",
    "審核中": "審核中",
    "補件": "需補件，請依一次告知單補齊文件",
    "核准": "已核准",
    "駁回": "未核准（駁回），詳見通知",
    "撤回": "已撤回（收據作廢）",
}


class RateLimit:
    """At most `limit` requests per `window` seconds from one address (a forger cannot try codes in bulk)."""

    def __init__(self, limit: int = 30, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen[address]
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            return True


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


def form_page() -> HTMLResponse:
    return page("案件辦理進度查詢", FORM, 200)


def _genuine(db: Session, case: CaseRow, case_number: str, sig: str, code: str) -> bool:
    """A receipt is genuine when its QR signature verifies with its device's unrevoked key, or when the short
    code typed from it matches."""
    if code:
        return same_code(code, short_code(case.case_uuid, case_number))
    parts = split(sig)
    if parts is None:
        return False
    key_id, signature = parts
    key = db.get(DeviceKeyRow, key_id)
    if key is None or key.revoked or case.device_id != key.device_id:
        return False
    return verify(key.public_key, signature, case_number, json.loads(case.payload)["receipt_number"])


def answer(
    db: Session, catalog: Catalog, limiter: RateLimit, request: Request, case_number: str, sig: str, code: str = ""
) -> HTMLResponse:
    address = request.client.host if request.client else "?"
    if not limiter.allow(address):
        return page("查詢過於頻繁", "<p>請稍後再試。</p>", 429)
    refused = page("無法驗證此收據", "<p>此查詢碼無法驗證。請確認為本市區公所開立之收據，或洽詢承辦單位。</p>", 404)
    case = db.scalar(select(CaseRow).where(CaseRow.case_number == case_number))
    if case is None or not _genuine(db, case, case_number, sig, code[:16]):
        return refused
    service = catalog.get(case.service_code).name_zh
    rows = {
        "案件編號": case_number,
        "申辦項目": service,
        "申請人": mask_id(case.national_id),
        "收件日期": format_roc(case.business_date),
        "辦理狀態": STATUS_TEXT.get(case.status, case.status),
    }
    body = "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows.items())
    return page("案件辦理進度", body + "</table>", 200)
