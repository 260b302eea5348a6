"""POST /v1/ask and POST /v1/chat: a question, or a conversation, answered with citations."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from talkrag.api.deps import ServiceDep
from talkrag.api.schemas import AskRequest, AskResponse, ChatRequest, history_of
from talkrag.api.service import Question
from talkrag.api.sse import answer_stream

router = APIRouter(tags=["answers"])


@router.post("/ask", response_model=AskResponse)
def ask(body: AskRequest, service: ServiceDep) -> AskResponse:
    """Answer one question; every sentence cites a numbered source."""
    q = Question(body.question, k=body.k, mode=body.mode, filters=body.filters)
    return AskResponse.model_validate(service.ask(q).wire())


@router.post(
    "/chat",
    response_model=AskResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat(body: ChatRequest, service: ServiceDep) -> StreamingResponse | AskResponse:
    """Answer the last message, earlier turns giving follow-ups their context.

    With `stream` (the default): server-sent events `delta` ({text}) as the answer is written,
    then `answer` ({answer, refused, citations, mode, notice}: the checked answer, which replaces
    the deltas), then `done`; an `error` event ({type, message}) if it fails midway.
    """
    q = Question(
        body.messages[-1].content.strip(),
        history=history_of(body.messages),
        k=body.k,
        mode=body.mode,
        filters=body.filters,
    )
    if not body.stream:
        return AskResponse.model_validate(service.ask(q).wire())
    return StreamingResponse(
        answer_stream(service.events(q)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
