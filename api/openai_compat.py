"""The OpenAI chat-completions protocol over talkrag: request shapes and response bodies."""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from talkrag.api.schemas import MAX_MESSAGE_CHARS, MAX_MESSAGES, question_is_last, text_of
from talkrag.rag.models import Answer, Filters
from talkrag.rag.present import with_sources
from talkrag.rag.settings import MAX_K

MODEL = "talkrag"


class ContentPart(BaseModel):
    """One part of a message's content; only text parts are read."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """A message as OpenAI clients send it (extra fields such as `name` are ignored)."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    @field_validator("content")
    @classmethod
    def _bounded(cls, content: str | list[ContentPart] | None) -> str | list[ContentPart] | None:
        if len(text_of(content)) > MAX_MESSAGE_CHARS:
            raise ValueError(f"longer than {MAX_MESSAGE_CHARS} characters")
        return content


class CompletionRequest(BaseModel):
    """A chat-completions request; sampling options are accepted and ignored (answers are
    extracted or checked, not sampled). `k` and `filters` may come as extra body fields."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    k: int | None = Field(None, ge=1, le=MAX_K)
    filters: Filters | None = None

    @field_validator("messages")
    @classmethod
    def _ends_with_question(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        question_is_last(messages[-1].role, text_of(messages[-1].content))
        return messages

    def mode(self) -> str | None:
        """The mode a model name asks for: `talkrag-llm`, `talkrag-extractive`, else the default."""
        suffix = self.model.rpartition("-")[2]
        return suffix if suffix in ("llm", "extractive") else None


def model_ids(llm: bool) -> list[str]:
    """The model names this server answers to."""
    return [MODEL, f"{MODEL}-extractive", *([f"{MODEL}-llm"] if llm else [])]


def citations_of(result: Answer) -> list[dict[str, Any]]:
    """The citations in the CLI's JSON shape, for the extra `citations` field."""
    return result.wire()["citations"]


def new_id() -> tuple[str, int]:
    """A completion id and its creation time."""
    return f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())


def completion(result: Answer, model: str) -> dict[str, Any]:
    """A whole `chat.completion` object; citations as numbered sources and in `citations`."""
    cid, created = new_id()
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": with_sources(result),
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": citations_of(result),
        "sentences": result.wire()["sentences"],
        "refused": result.refused,
    }


def chunk(
    ids: tuple[str, int], model: str, delta: dict[str, str], finish: str | None = None
) -> dict[str, Any]:
    """One `chat.completion.chunk` of a stream."""
    return {
        "id": ids[0],
        "object": "chat.completion.chunk",
        "created": ids[1],
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
