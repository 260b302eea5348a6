"""OpenAI-compatible chat client: timeouts, retries, streaming, and openai errors as LLMError.

This is the only module that imports `openai`; nothing on the default (extractive) path
imports it. openai's objects and exceptions never leave it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx2
import openai
from talkrag.ingest.errors import LLMBadResponse, LLMError, LLMTimeout, LLMUnavailable

if TYPE_CHECKING:
    from talkrag.rag.settings import RagSettings

log = logging.getLogger(__name__)

Message = Mapping[str, str]
NO_KEY = "not-needed"  # local servers accept any key; openai refuses to start with none
DETAIL_CHARS = 200

# HTTP errors (all LLMUnavailable) and what to do about each; the first isinstance match wins.
_STATUS: tuple[tuple[type[openai.APIStatusError], str], ...] = (
    (openai.AuthenticationError, "check OPENAI_API_KEY / TALKRAG_LLM_API_KEY"),
    (openai.PermissionDeniedError, "check OPENAI_API_KEY / TALKRAG_LLM_API_KEY"),
    (
        openai.NotFoundError,
        "check OPENAI_BASE_URL (it usually ends in /v1) / TALKRAG_LLM_MODEL",
    ),
    (
        openai.BadRequestError,
        "check OPENAI_BASE_URL / TALKRAG_LLM_MODEL / TALKRAG_LLM_MAX_TOKENS and the context size",
    ),
    (
        openai.UnprocessableEntityError,
        "check OPENAI_BASE_URL / TALKRAG_LLM_MODEL",
    ),
    (openai.RateLimitError, "retry later, or raise TALKRAG_LLM_RETRIES"),
    (openai.InternalServerError, "check the server's log, or retry later"),
)


def _detail(exc: openai.APIError) -> str:
    """The server's own message, on one line and short."""
    text = " ".join(str(exc.message).split())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def translate(exc: openai.OpenAIError, where: str, model: str, timeout: float) -> LLMError:
    """The talkrag error for an openai error: what failed, where, and what to do."""
    if isinstance(exc, openai.APITimeoutError):
        return LLMTimeout(
            f"the LLM endpoint at {where} gave no answer within {timeout:g}s: "
            "raise TALKRAG_LLM_TIMEOUT, or use a smaller model"
        )
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailable(
            f"cannot reach the LLM endpoint at {where}: is the server running? "
            "check OPENAI_BASE_URL / TALKRAG_LLM_BASE_URL"
        )
    if isinstance(exc, openai.APIStatusError):
        hint = next((h for cls, h in _STATUS if isinstance(exc, cls)), "check the endpoint")
        return LLMUnavailable(
            f"the LLM endpoint at {where} answered HTTP {exc.status_code} for model {model!r} "
            f"({_detail(exc)}): {hint}"
        )
    if isinstance(exc, openai.APIError):
        return LLMBadResponse(
            f"the LLM endpoint at {where} sent a malformed answer: {_detail(exc)}"
        )
    return LLMBadResponse(f"the LLM endpoint at {where} failed: {type(exc).__name__}: {exc}")


def _content(response: object, part: str) -> str:
    """The text of the first choice's message (or stream delta); "" when it has none."""
    choices = getattr(response, "choices", None) or [None]
    content = getattr(getattr(choices[0], part, None), "content", None)
    return content if isinstance(content, str) else ""


class LLMClient:
    """Chat completions from one model behind an OpenAI-compatible endpoint."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        retries: int = 2,
        max_tokens: int = 400,
    ) -> None:
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or NO_KEY,
            timeout=timeout,
            max_retries=retries,
            http_client=self._http_client(),
        )
        self.where = str(self._client.base_url)

    @classmethod
    def from_settings(cls, settings: RagSettings) -> LLMClient:
        """A client for the endpoint, model and limits the settings name."""
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=key,
            timeout=settings.llm_timeout,
            retries=settings.llm_retries,
            max_tokens=settings.llm_max_tokens,
        )

    def _http_client(self) -> httpx2.Client | None:
        """The HTTP client under openai; None lets openai build its own (tests override this)."""
        return None

    def _create(self, messages: Sequence[Message], *, stream: bool) -> Any:
        return self._client.chat.completions.create(
            model=self.model,
            messages=[dict(m) for m in messages],  # type: ignore[misc]
            max_tokens=self.max_tokens,
            temperature=0,
            stream=stream,
        )

    def _error(self, exc: openai.OpenAIError) -> LLMError:
        return translate(exc, self.where, self.model, self.timeout)

    def complete(self, messages: Sequence[Message]) -> str:
        """The model's whole answer to the messages."""
        began = time.monotonic()
        try:
            response = self._create(messages, stream=False)
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc
        content = _content(response, "message")
        if not content.strip():
            raise LLMBadResponse(f"the LLM endpoint at {self.where} sent an empty answer")
        log.info("llm %s answered in %.2fs", self.model, time.monotonic() - began)
        return content

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        """The model's answer as text deltas, as they arrive."""
        began, total = time.monotonic(), 0
        try:
            with self._create(messages, stream=True) as chunks:
                for chunk in chunks:
                    delta = _content(chunk, "delta")
                    if delta:
                        total += len(delta)
                        yield delta
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc
        if not total:
            raise LLMBadResponse(f"the LLM endpoint at {self.where} streamed an empty answer")
        log.info("llm %s streamed %d chars in %.2fs", self.model, total, time.monotonic() - began)
