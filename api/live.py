"""The index as a long-running server sees it: reopened when another process has ingested.

A local Chroma client keeps its vector index in memory and does not see vectors another
process (a `talkrag ingest`) writes afterwards, though it does see the generation token.
So each search compares the token with the one its BM25 index was built at, and on a change
closes the client, opens a fresh one and reloads BM25: new talks answer without a restart.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from talkrag.ingest.backends import DEFAULT_BACKEND, make_embedder
from talkrag.ingest.embed import Embedder, resolve_model
from talkrag.ingest.records import FileRecord
from talkrag.ingest.settings import IngestSettings
from talkrag.rag.entities import Understood
from talkrag.rag.models import Filters, Hit
from talkrag.rag.retrieve import Retriever, open_retriever, reload_twin
from talkrag.rag.settings import SEARCH_K

T = TypeVar("T")
CACHED_TEXTS = 8192  # ~12 MiB of MiniLM vectors: the passages questions keep retrieving


class SerialEmbedder:
    """An Embedder used by many request threads: one forward pass at a time, and a bounded
    cache of vectors by text.

    The fast tokenizer under sentence-transformers is not safe to share across threads
    ("Already borrowed"), and two cores gain nothing from concurrent passes anyway. Extractive
    answers embed every sentence of the retrieved passages, and popular passages come back
    again and again, so their vectors are kept (least recently used out first).
    """

    def __init__(self, inner: Embedder, cached: int = CACHED_TEXTS) -> None:
        self.name = inner.name
        self._inner = inner
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cached = cached

    def load(self) -> None:
        """Load the model now rather than on the first request."""
        with self._lock:
            self._inner.load()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for texts: cached ones looked up, the rest embedded in one pass."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                for text, vector in zip(missing, self._inner.embed(missing), strict=True):
                    self._cache[text] = vector
            for text in texts:
                self._cache.move_to_end(text)
            while len(self._cache) > self._cached:
                self._cache.popitem(last=False)
            return np.stack([self._cache[t] for t in texts]) if texts else self._inner.embed([])


class LiveIndex:
    """Retrieval for the server: the one opener's Retriever, reopened when the store moves on."""

    def __init__(self, settings: IngestSettings) -> None:
        self._settings = settings
        self._backend = settings.backend or DEFAULT_BACKEND  # until an index says otherwise
        model_dir, name = resolve_model(settings.model)
        self.embedder = SerialEmbedder(
            make_embedder(
                model_dir,
                name,
                self._backend,
                settings.max_tokens,
                settings.batch_size,
                settings.cache,
            )
        )
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None

    def search(self, question: str, k: int = SEARCH_K, filters: Filters | None = None) -> list[Hit]:
        """The k best chunks, from the index as it is now (see Retriever.search)."""
        with self._lock:
            return self._current().search(question, k, filters)

    def understand(self, question: str) -> Understood:
        """What the question names, by the current index's names."""
        with self._lock:
            return self._current().understand(question)

    def unknown_terms(self, text: str) -> list[str]:
        """The text's terms that no chunk of the current index contains."""
        with self._lock:
            return self._current().unknown_terms(text)

    def sentence_vectors(self, hits: Sequence[Hit]) -> dict[str, np.ndarray]:
        """Sentence text -> the vector ingest stored for it, over the hits' chunks."""
        with self._lock:
            return self._current().sentence_vectors(hits)

    def stats(self) -> dict[str, int]:
        """Chunks and talks in the index as it is now."""
        with self._lock:
            rows = self._current().rows
        return {"chunks": len(rows), "talks": rows.talk_count()}

    def read(self, work: Callable[[Retriever], T]) -> T:
        """work(retriever) over the index as it is now, holding it meanwhile (a digest reads
        every row: a reopen must not close the retriever under it)."""
        with self._lock:
            return work(self._current())

    def talks(self) -> list[FileRecord]:
        """Every ingested file's record (its talk), from the index as it is now."""
        with self._lock:
            return self._current().store.file_records()

    def _current(self) -> Retriever:
        """The retriever, reopened first when the store's generation moved (call under lock)."""
        retriever = self._retriever
        if retriever is not None and retriever.store.generation() == retriever.twin.generation:
            return retriever
        if retriever is not None and self._settings.chroma_url:  # a server sees every write
            reload_twin(retriever, self._settings)
            return retriever
        self.close()
        retriever = open_retriever(self._settings)
        if retriever.backend != self._backend:  # the index records another backend than guessed
            self._backend = retriever.backend or self._backend
            self.embedder = SerialEmbedder(retriever.embedder)
        retriever.embedder = self.embedder  # one serial, cached embedder for every request
        self._retriever = retriever
        return retriever

    def close(self) -> None:
        """Release the Chroma client, so the next open reads the store afresh from disk."""
        retriever, self._retriever = self._retriever, None
        if retriever is not None:
            retriever.close()
            retriever.store.close()
