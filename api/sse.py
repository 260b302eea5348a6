"""Server-sent events: answer deltas, then the checked answer with its citations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from talkrag.api.errors import error_body, status_of
from talkrag.api.service import Event, pieces
from talkrag.ingest.errors import TalkragError
from talkrag.rag.models import Answer


def sse(event: str, data: Any) -> str:
    """One event; JSON keeps the data on one line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def error_event(exc: BaseException) -> str:
    """An error after the stream began (the status line is gone): said as an event."""
    if isinstance(exc, TalkragError):
        _, kind = status_of(exc)
        return sse("error", error_body(kind, str(exc))["error"])
    return sse("error", error_body("internal_error", "internal error; see the server log")["error"])


def answer_stream(events: Iterator[Event]) -> Iterator[str]:
    """`delta` events as text is produced (an answer made at once is sent in pieces), then
    `answer` (the checked answer: it replaces the deltas, and carries the citations), `done`."""
    streamed = False
    for kind, value in events:
        if kind == "delta":
            streamed = True
            yield sse("delta", {"text": value})
        elif kind == "answer":
            result: Answer = value
            if not streamed:
                for piece in pieces(result.answer):
                    yield sse("delta", {"text": piece})
            yield sse("answer", result.wire())
        else:
            yield error_event(value)
    yield sse("done", {})
