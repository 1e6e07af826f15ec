"""One error body for every refusal (wire.ErrorBody), and the OpenAPI entries that say so.

Handlers turn our ApiError, Starlette's HTTPException (unknown path, wrong method) and FastAPI's request
validation into the same JSON shape the published schema declares for each status code.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol import wire

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal with its status, a machine-readable code (translated by the app) and a detail for logs."""

    def __init__(self, status: int, code: str, detail: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(status, code, detail)
        self.status = status
        self.code = code
        self.detail = detail or code
        self.headers = headers


_DESCRIPTIONS = {
    400: "The request is malformed",
    401: "Not logged in, or the token, device or log-in is not valid",
    403: "Logged in, but this role may not do this",
    404: "No such resource for the caller",
    405: "Method not allowed",
    408: "The request body did not arrive in time",
    409: "Conflicts with what the city holds",
    413: "The request body is too large",
    422: "The request does not fit the schema, or a value is out of range",
    426: "This client's version is older than the city requires (Counterdesk-Minimum-Version says which)",
    429: "Too many attempts; retry after the time given in Retry-After",
}

# Every operation may answer these; FastAPI then does not add its own 422 schema (which our bodies would contradict).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": wire.ErrorBody, "description": description} for status, description in _DESCRIPTIONS.items()
}


def error_response(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = wire.ErrorBody(code=code, detail=detail[:500])
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"), headers=headers)


def _loc(part: Any) -> str | int:
    return part if isinstance(part, int) else str(part)[:64]


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.detail, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = list(exc.errors())
        items = [
            wire.ErrorItem(
                loc=[_loc(p) for p in e.get("loc", ())][:10], msg=str(e.get("msg", ""))[:200], type=str(e.get("type"))
            )
            for e in problems[:50]
        ]
        detail = "; ".join(f"{'.'.join(str(p) for p in i.loc)}: {i.msg}" for i in items[:5])
        body = wire.ErrorBody(code="invalid_request", detail=detail[:500], errors=items)
        return JSONResponse(status_code=422, content=body.model_dump(mode="json"))
