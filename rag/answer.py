"""answer(...): the one entry point from a question to a verified, cited Answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from talkrag.ingest.errors import ConfigError, LLMError
from talkrag.rag.chat import standalone as condensed
from talkrag.rag.entities import Understood
from talkrag.rag.extractive import extractive_answer, refusal, support
from talkrag.rag.faithful import verify_answer
from talkrag.rag.models import Answer, Filters, Hit, Recognised
from talkrag.rag.searcher import Searcher
from talkrag.rag.settings import RagSettings
from talkrag.rag.verify import OfflineVerifier

log = logging.getLogger(__name__)


def make_llm(settings: RagSettings) -> Any:
    """The LLM client for llm mode; ConfigError when no endpoint is configured."""
    if not settings.llm_base_url and not settings.llm_api_key:
        raise ConfigError(
            "llm mode needs an OpenAI-compatible endpoint: set OPENAI_BASE_URL (and "
            "OPENAI_API_KEY if it needs one), or use --mode extractive"
        )
    from talkrag.rag.llm import LLMClient  # noqa: PLC0415  (openai loads only in llm mode)

    return LLMClient.from_settings(settings)


def _llm_answer(
    question: str,
    hits: list[Hit],
    llm: Any,
    history: Sequence[dict[str, str]],
    on_delta: Callable[[str], None] | None,
) -> Answer:
    from talkrag.rag.generate import llm_answer  # noqa: PLC0415  (openai loads only here)

    return llm_answer(question, hits, llm, history=list(history), on_delta=on_delta)


def answer(  # noqa: PLR0913  (past the three it needs, each is an optional keyword)
    question: str,
    retriever: Searcher,
    settings: RagSettings,
    *,
    filters: Filters | None = None,
    history: Sequence[dict[str, str]] = (),
    llm: Any = None,
    on_delta: Callable[[str], None] | None = None,
) -> Answer:
    """Retrieve for the (condensed) question, synthesize in the configured mode, then verify
    every sentence against the passages it cites (on_delta gets the unverified deltas)."""
    asked = [m["content"] for m in history if m.get("role") == "user"]
    standalone = condensed(question, asked)
    named = retriever.understand(standalone)
    hits = retriever.search(standalone, settings.k, filters)
    if not hits:
        return _understood(refusal(settings.mode), named)
    speaker = filters.speaker if filters else None
    content = named.content or standalone  # names are no words a transcript must hold
    unknown = bool(retriever.unknown_terms(content))
    known = retriever.sentence_vectors(hits)
    args = (standalone, hits, retriever.embedder, speaker, unknown, known)
    prefer = named.speakers
    if settings.mode == "llm":
        if unknown and support(*args, prefer=prefer, content=content) is None:
            return _understood(refusal("llm"), named)  # names what no talk mentions; nothing fits
        try:  # the LLM reads the history itself; the extractive fallback cannot
            result = _llm_answer(question, hits, llm or make_llm(settings), history, on_delta)
        except LLMError as exc:
            log.warning("LLM failed, falling back to extractive: %s", exc)
            result = extractive_answer(*args, prefer=prefer, content=content)
            result.notice = f"the LLM failed ({exc}); this is the extractive answer instead"
    else:
        result = extractive_answer(*args, prefer=prefer, content=content)
    verifier = OfflineVerifier(retriever.embedder, known=known)
    return _understood(verify_answer(result, hits, verifier, standalone), named)


def _understood(result: Answer, named: Understood) -> Answer:
    """The answer, with what the question was recognised to name."""
    result.understood = Recognised(**named.wire())
    return result
