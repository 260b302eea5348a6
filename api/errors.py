"""Errors as JSON `{"error": {"type", "message"}}`: talkrag's tree mapped to status codes, 422s
that name the field, and never a traceback in a response."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from talkrag.ingest.errors import (
    ConfigError,
    InputError,
    LLMError,
    LLMTimeout,
    StoreError,
    TalkragError,
)

log = logging.getLogger(__name__)

# Most specific first: the first isinstance match gives the status and the type.
_STATUS: tuple[tuple[type[TalkragError], int, str], ...] = (
    (InputError, 422, "invalid_request"),
    (StoreError, 503, "index_unavailable"),
    (LLMTimeout, 504, "llm_timeout"),
    (LLMError, 502, "llm_failed"),
    (ConfigError, 503, "server_misconfigured"),
)


def error_body(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one error shape of every response."""
    return {"error": {"type": kind, "message": message, **extra}}


def status_of(exc: TalkragError) -> tuple[int, str]:
    """The HTTP status and error type for a talkrag error."""
    for cls, code, kind in _STATUS:
        if isinstance(exc, cls):
            return code, kind
    return 500, "internal_error"


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """`body.messages.0.content` as `messages.0.content`: the field as the client wrote it."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101  (registered for this type)
    fields = []
    for e in exc.errors():
        message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        field = field_name(e.get("loc", ()))
        if e.get("type") == "json_invalid":  # loc holds a character offset, not a field
            field, message = "body", f"malformed JSON ({e.get('ctx', {}).get('error', message)})"
        fields.append({"field": field, "message": message})
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return JSONResponse(
        error_body("invalid_request", summary, fields=fields), status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def _talkrag(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TalkragError)  # noqa: S101
    code, kind = status_of(exc)
    log.warning("%s: %s", kind, exc)
    return JSONResponse(error_body(kind, str(exc)), code)


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    kind = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    return JSONResponse(
        error_body(kind.get(exc.status_code, "http_error"), str(exc.detail)),
        exc.status_code,
        headers=exc.headers,
    )


def _internal(_: Request, exc: Exception) -> JSONResponse:
    log.error("internal error", exc_info=exc)  # the traceback goes to the server log only
    return JSONResponse(error_body("internal_error", "internal error; see the server log"), 500)


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(TalkragError, _talkrag)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _internal)
