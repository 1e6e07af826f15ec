"""One log format for the app and the city server: a JSON object per line (time in UTC, level, logger, message,
the request id when there is one, the traceback), with every ID-shaped text masked, tracebacks included. An
operator's log pipeline reads the counters' files and the server's journal alike, and follows one request from
the app's line to the server's by its id (the app sends it as X-Request-Id)."""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

from forms.ids import mask_ids_in

REQUEST_ID_HEADER = "X-Request-Id"
# What the request being served (or sent) is called; "" outside one.
request_id: ContextVar[str] = ContextVar("request_id", default="")
_GOOD_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def acceptable_request_id(value: str | None) -> str | None:
    """A request id from the network, if it is one we would log as is (no spaces, quotes or newlines)."""
    return value if value and _GOOD_ID.fullmatch(value) else None


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_ids_in(record.getMessage()),
        }
        rid = getattr(record, "request_id", "") or request_id.get()
        if rid:
            entry["request_id"] = rid
        for key in ("route", "status", "ms", "office", "device"):  # an access line's fields
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = mask_ids_in(self.formatException(record.exc_info))
        elif record.stack_info:
            entry["stack"] = mask_ids_in(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
