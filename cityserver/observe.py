"""What the operator sees of each request: its id (the client's X-Request-Id when well formed, else a new one,
echoed in the answer and on every log line written while serving it) and one access line in JSON — route, status,
milliseconds — without the path's own values (a case number is a route parameter, never logged here)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol.logformat import REQUEST_ID_HEADER, acceptable_request_id, request_id

access = logging.getLogger("cityserver.access")
_HEADER = REQUEST_ID_HEADER.lower().encode()

# Called once per answered request with (route template, method, status, seconds): the metrics hook.
Observer = Callable[[str, str, int, float], None]


class RequestLog:
    def __init__(self, app: ASGIApp, observers: list[Observer] | None = None) -> None:
        self.app = app
        self.observers = observers if observers is not None else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(_HEADER, b"").decode("latin-1")
        rid = acceptable_request_id(given) or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (_HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = _route_of(scope)
            access.info(
                "%s %s %d",
                scope.get("method", ""),
                route,
                status,
                extra={"route": route, "status": status, "ms": round(seconds * 1000, 1)},
            )
            for observe in self.observers:
                observe(route, scope.get("method", ""), status, seconds)
            request_id.reset(token)


def _route_of(scope: Scope) -> str:
    """The matched route's template (/api/v1/cases/{case_uuid}), not the path: bounded labels, no personal data."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "(unmatched)"


def configure_logging(log_format: str = "json", level: int = logging.INFO) -> None:
    """The server's lines to stderr (systemd's journal): JSON lines, or plain text for a person at a terminal; IDs
    masked either way. Each worker process calls it (they start as fresh interpreters)."""
    from forms.ids import mask_ids_in
    from sync.protocol.logformat import JsonLines

    class Masked(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return mask_ids_in(super().format(record))

    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonLines() if log_format == "json" else Masked("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
