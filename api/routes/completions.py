"""POST /v1/chat/completions and GET /v1/models: talkrag as an OpenAI-compatible model."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from talkrag.api.deps import ServiceDep
from talkrag.api.errors import error_body, status_of
from talkrag.api.openai_compat import (
    CompletionRequest,
    chunk,
    citations_of,
    completion,
    model_ids,
    new_id,
)
from talkrag.api.schemas import history_of, text_of
from talkrag.api.service import Question, Service, pieces
from talkrag.ingest.errors import TalkragError
from talkrag.rag.present import with_sources

log = logging.getLogger(__name__)
router = APIRouter(tags=["openai"])


@router.get("/models")
def models(service: ServiceDep) -> dict[str, Any]:
    """The model names to pick: `talkrag` (server default mode), `-extractive`, `-llm`."""
    return {
        "object": "list",
        "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "talkrag"}
            for name in model_ids(service.llm is not None)
        ],
    }


@router.post("/chat/completions", response_model=None)
def completions(body: CompletionRequest, service: ServiceDep) -> Any:
    """The answer to the last user message as a chat completion (or `stream: true` chunks).

    The answer is checked before any of it is sent, since a stream cannot take text back; it
    ends with its numbered sources, and the extra field `citations` holds them as objects.
    """
    last = body.messages[-1]
    q = Question(
        text_of(last.content).strip(),
        history=history_of(body.messages),
        k=body.k,
        mode=body.mode(),
        filters=body.filters,
    )
    service.settings_for(q)  # bad input answers 422 now, not inside a started stream
    service.index.stats()  # and a missing index 503
    if not body.stream:
        return completion(service.ask(q), body.model)
    return StreamingResponse(
        _stream(service, q, body.model),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _data(obj: Any) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"


def _stream(service: Service, q: Question, model: str) -> Iterator[str]:
    ids = new_id()
    yield _data(chunk(ids, model, {"role": "assistant", "content": ""}))
    try:
        result = service.ask(q)
    except TalkragError as exc:
        _, kind = status_of(exc)
        yield _data(error_body(kind, str(exc)))
        yield "data: [DONE]\n\n"
        return
    for piece in pieces(with_sources(result)):
        yield _data(chunk(ids, model, {"content": piece}))
    last = chunk(ids, model, {}, finish="stop")
    last["citations"] = citations_of(result)
    last["sentences"] = result.wire()["sentences"]  # each sentence's verdict, as in /v1/ask
    last["refused"] = result.refused
    yield _data(last)
    yield "data: [DONE]\n\n"
