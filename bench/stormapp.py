"""The city server the storm benchmark runs (under uvicorn's workers, configured from the environment like
`counterdesk-server serve`), plus its baseline: an endpoint that stores the same rows with one `executemany` per
table and batch — no authentication, no validation, no per-case checks, no numbering lock.

    python -m uvicorn bench.stormapp:app --factory --workers 2 --port 8787
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Body, FastAPI, Response
from sqlalchemy import insert

from cityserver.app import app_from_environment
from cityserver.db import CaseRow, StatusEventRow
from forms.clock import TAIPEI


def app() -> FastAPI:
    made = app_from_environment()
    factory = made.state.session_factory

    @made.post("/bench/cases")
    def bare_insert(body: Annotated[dict[str, Any], Body()]) -> Response:
        # A plain function, as the real routes are: FastAPI runs it on its thread pool, off the event loop.
        cases = body["cases"]
        moment = datetime.now(UTC)
        rows = [
            {
                "case_uuid": c["case_uuid"],
                "case_number": c["case_number"],
                "receipt_number": c["receipt_number"],
                "service_code": c["service_code"],
                "national_id": c["national_id"],
                "content_hash": "-",
                "payload": json.dumps(c, ensure_ascii=False),
                "office_code": c["office_code"],
                "device_id": c["device_id"],
                "business_date": datetime.fromisoformat(c["received_at"]).astimezone(TAIPEI).date(),
                "pushed_by": "bench",
                "status": "收件",
                "assigned_office": c["office_code"],
            }
            for c in cases
        ]
        events = [{"case_uuid": c["case_uuid"], "status": "收件", "note": "", "at": moment} for c in cases]
        with factory.begin() as s:
            s.execute(insert(CaseRow), rows)
            s.execute(insert(StatusEventRow), events)
        return Response(b'{"ok":true}', media_type="application/json")

    return made
