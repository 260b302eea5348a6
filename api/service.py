"""What routes share: settings, the live index and the LLM client, and one call into rag.answer."""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from talkrag.api.live import LiveIndex
from talkrag.api.settings import ApiSettings
from talkrag.ingest.errors import InputError, TalkragError
from talkrag.rag.answer import answer, make_llm
from talkrag.rag.models import Answer, Filters

log = logging.getLogger(__name__)

STREAM_WORKERS = 8  # streamed answers computed at once; more wait their turn
Event = tuple[str, Any]  # ("delta", str) while the LLM writes, then ("answer", Answer)


@dataclass(frozen=True, slots=True)
class Question:
    """One question as a route received it."""

    text: str
    history: Sequence[dict[str, str]] = ()
    k: int | None = None
    mode: str | None = None
    filters: Filters | None = None


class Service:
    """The server's collaborators, built once per app and passed to routes through app.state."""

    def __init__(self, settings: ApiSettings, index: LiveIndex | None = None, llm: Any = None):
        self.settings = settings
        self.index = index or LiveIndex(settings)
        self.llm = llm if llm is not None else _llm_or_none(settings)
        # Streamed answers run on a few long-lived threads: a fresh thread per request would
        # make torch set up its per-thread state again each time, and memory creeps up.
        self._workers = ThreadPoolExecutor(STREAM_WORKERS, thread_name_prefix="talkrag-answer")

    def close(self) -> None:
        """Stop the worker threads and release the index."""
        self._workers.shutdown(wait=False, cancel_futures=True)
        self.index.close()

    def settings_for(self, q: Question) -> ApiSettings:
        """The server's settings with the request's k and mode on top."""
        mode = q.mode or self.settings.mode
        if mode == "llm" and self.llm is None:
            raise InputError(
                "mode: llm mode is not configured on this server (no OPENAI_BASE_URL); "
                "ask with mode 'extractive'"
            )
        return self.settings.model_copy(update={"k": q.k or self.settings.k, "mode": mode})

    def ask(self, q: Question) -> Answer:
        """The answer to one question, in one piece."""
        return answer(
            q.text,
            self.index,
            self.settings_for(q),
            filters=q.filters,
            history=q.history,
            llm=self.llm,
        )

    def events(self, q: Question) -> Iterator[Event]:
        """The LLM's deltas as they come, then the checked answer, from a worker thread.

        Bad input (say, llm mode with no LLM) or a missing index raises here, before any
        event is sent.
        """
        settings = self.settings_for(q)
        self.index.stats()  # no index yet: StoreError (503) now, not an event after a 200
        events: queue.Queue[Event] = queue.Queue()

        def work() -> None:
            try:
                result = answer(
                    q.text,
                    self.index,
                    settings,
                    filters=q.filters,
                    history=q.history,
                    llm=self.llm,
                    on_delta=lambda text: events.put(("delta", text)),
                )
                events.put(("answer", result))
            except TalkragError as exc:
                events.put(("error", exc))
            except Exception as exc:  # a worker thread has no caller: hand the bug over
                log.exception("answer failed")
                events.put(("error", exc))

        self._workers.submit(work)
        return _drain(events)


def _drain(events: queue.Queue[Event]) -> Iterator[Event]:
    """Events until the answer (or an error) arrives."""
    while True:
        kind, value = events.get()
        yield kind, value
        if kind != "delta":
            return


def _llm_or_none(settings: ApiSettings) -> Any:
    """The LLM client when an endpoint is configured, else None (extractive only)."""
    if not settings.llm_base_url and not settings.llm_api_key:
        return None
    return make_llm(settings)


def pieces(text: str, size: int = 3) -> Iterator[str]:
    """Text in runs of a few words (spaces kept), to stream an answer made all at once."""
    words = text.split(" ")
    for i in range(0, len(words), size):
        tail = " " if i + size < len(words) else ""
        yield " ".join(words[i : i + size]) + tail
