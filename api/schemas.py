"""Request and response bodies of the HTTP API; answers reuse rag.models (one wire contract)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from talkrag.rag.models import Answer, Filters
from talkrag.rag.settings import MAX_K, Mode

MAX_QUESTION_CHARS = 2000
MAX_MESSAGE_CHARS = 8000  # earlier answers come back as history, and they are longer
MAX_MESSAGES = 40


class AskRequest(BaseModel):
    """One question, answered in one response."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    k: int | None = Field(None, ge=1, le=MAX_K, description="passages to read")
    mode: Mode | None = Field(None, description="extractive (no LLM) or llm; default: server's")
    filters: Filters | None = None

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return value.strip()


class AskResponse(Answer):
    """`/v1/ask`'s body: the answer exactly as `talkrag ask --json` prints it."""


class Message(BaseModel):
    """One turn of a conversation."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant"]
    content: str = Field(max_length=MAX_MESSAGE_CHARS)


class ChatRequest(BaseModel):
    """A conversation whose last message is the question; earlier turns give follow-ups context."""

    model_config = ConfigDict(extra="forbid")

    messages: list[Message] = Field(min_length=1, max_length=MAX_MESSAGES)
    k: int | None = Field(None, ge=1, le=MAX_K)
    mode: Mode | None = None
    filters: Filters | None = None
    stream: bool = Field(True, description="server-sent events; false: one JSON answer")

    @field_validator("messages")
    @classmethod
    def _ends_with_question(cls, messages: list[Message]) -> list[Message]:
        question_is_last(messages[-1].role, messages[-1].content)
        return messages


def question_is_last(role: str, content: str) -> None:
    """Refuse a conversation that does not end with a user question of a sane length."""
    if role != "user":
        raise ValueError("the last message must have role 'user' (the question)")
    if not content.strip():
        raise ValueError("the last message (the question) is empty")
    if len(content) > MAX_QUESTION_CHARS:
        raise ValueError(f"the question is {len(content)} characters; at most {MAX_QUESTION_CHARS}")


def history_of(messages: list[Any]) -> list[dict[str, str]]:
    """Earlier user and assistant turns as the answer layer takes them (system turns dropped:
    the server's own rules govern how answers are written)."""
    return [
        {"role": m.role, "content": text_of(m.content)}
        for m in messages[:-1]
        if m.role in ("user", "assistant")
    ]


def text_of(content: Any) -> str:
    """A message's text: a string, or OpenAI's list of content parts (text parts joined)."""
    if isinstance(content, str):
        return content
    return "".join(part.text for part in content or [] if part.type == "text")


class Health(BaseModel):
    """Whether the server can answer, and with what."""

    status: Literal["ok", "no_index"]
    chunks: int
    talks: int
    embedding_model: str
    llm_configured: bool
    llm_model: str | None
    default_mode: str
    auth_required: bool
