"""talkrag in LlamaIndex's types: TalkRetriever, TalkSynthesizer and TalkQueryEngine.

The node conversions live in llamaindex_nodes.py and are re-exported here.
Imported only by its users: `talkrag ask` and `talkrag search` never load llama_index.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.schema import NodeWithScore, QueryBundle
from pydantic import ConfigDict, Field
from talkrag.faces.llamaindex_nodes import (
    CitedResponse,
    citation_to_node,
    hit_to_node,
    node_to_citation,
    node_to_hit,
    sources_text,
    to_response,
)
from talkrag.ingest.embed import Embedder
from talkrag.rag.answer import answer
from talkrag.rag.entities import Understood
from talkrag.rag.models import Answer, Filters, Hit
from talkrag.rag.retrieve import Retriever, open_retriever
from talkrag.rag.settings import SEARCH_K, RagSettings

__all__ = [
    "CitedResponse",
    "TalkQueryEngine",
    "TalkRetriever",
    "TalkSynthesizer",
    "citation_to_node",
    "hit_to_node",
    "node_to_citation",
    "node_to_hit",
    "sources_text",
    "to_response",
]


def neighbour_ids(retriever: Retriever, chunk_id: str) -> tuple[str | None, str | None]:
    """The ids of the chunks just before and after one chunk in its talk."""
    ids = retriever.rows.ids
    previous, following = (
        ids[r] if r is not None else None for r in retriever.rows.beside(chunk_id)
    )
    return previous, following


def open_rag(db: Path | str | None = None, **settings: Any) -> tuple[Retriever, RagSettings]:
    """The talkrag index at db (default: TALKRAG_DB or .talkrag) and its answer settings."""
    rag = RagSettings(**({"db": Path(db)} if db is not None else {}), **settings)
    return open_retriever(rag), rag


class TalkRetriever(BaseRetriever):
    """A LlamaIndex retriever over a talkrag index: the hybrid search of `talkrag search`."""

    def __init__(
        self,
        retriever: Retriever,
        k: int = SEARCH_K,
        filters: Filters | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(callback_manager=callback_manager)
        self.talkrag = retriever
        self.k = k
        self.filters = filters

    @classmethod
    def from_dir(
        cls, db: Path | str | None = None, k: int = SEARCH_K, **filters: str
    ) -> TalkRetriever:
        """Open the index at db; filters as in `talkrag search` (speaker, talk, event, ...)."""
        retriever, _ = open_rag(db)
        return cls(retriever, k, Filters(**filters))

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self.talkrag.search(query_bundle.query_str, self.k, self.filters)
        return [hit_to_node(h, neighbour_ids(self.talkrag, h.chunk_id)) for h in hits]


@dataclass
class _GivenHits:
    """A Searcher over hits LlamaIndex already retrieved."""

    hits: list[Hit]
    embedder: Embedder
    unknown: Callable[[str], list[str]]
    stored: Callable[[Sequence[Hit]], dict[str, Any]] | None = None
    named: Callable[[str], Understood] | None = None

    def understand(self, question: str) -> Understood:
        """What the question names, by the index's names (nothing, for nodes from elsewhere)."""
        return self.named(question) if self.named else Understood(question)

    def unknown_terms(self, text: str) -> list[str]:
        """The text's terms absent from the index the hits came from."""
        return self.unknown(text)

    def sentence_vectors(self, hits: Sequence[Hit]) -> dict[str, Any]:
        """The index's stored sentence vectors; none for nodes from elsewhere (embedded then)."""
        return self.stored(hits) if self.stored else {}

    def search(self, question: str, k: int = SEARCH_K, filters: Filters | None = None) -> list[Hit]:
        """The given hits, as retrieved (the question chose them already)."""
        return self.hits


class TalkSynthesizer(BaseSynthesizer):
    """talkrag's checked synthesis (extractive, or LLM with [n] checks) behind LlamaIndex's API."""

    def __init__(  # noqa: PLR0913  (the index's parts a Searcher has, each optional)
        self,
        embedder: Embedder,
        settings: RagSettings,
        filters: Filters | None = None,
        llm: Any = None,
        *,
        unknown_terms: Callable[[str], list[str]] | None = None,
        sentence_vectors: Callable[[Sequence[Hit]], dict[str, Any]] | None = None,
        understand: Callable[[str], Understood] | None = None,
    ) -> None:
        # BaseSynthesizer.__init__ resolves Settings.llm, the global that defaults to OpenAI and
        # fails offline; talkrag synthesizes itself, so only the callback state is set here.
        self._callback_manager = CallbackManager([])
        self._streaming = False
        self._output_cls = None
        self._empty_response = "Empty Response"
        self.embedder, self.settings, self.filters, self.llm = embedder, settings, filters, llm
        self.unknown_terms = unknown_terms or (lambda _text: [])
        self.sentence_vectors = sentence_vectors
        self.understand = understand

    @classmethod
    def for_retriever(
        cls, retriever: TalkRetriever, settings: RagSettings | None = None
    ) -> TalkSynthesizer:
        """A synthesizer matching a TalkRetriever: its embedder and filters."""
        talkrag = retriever.talkrag
        return cls(
            talkrag.embedder,
            settings or RagSettings(),
            retriever.filters,
            unknown_terms=talkrag.unknown_terms,
            sentence_vectors=talkrag.sentence_vectors,
            understand=talkrag.understand,
        )

    def _get_prompts(self) -> dict[str, Any]:
        return {}  # talkrag's prompts live in rag/prompts.py, fenced as data

    def _update_prompts(self, prompts: dict[str, Any]) -> None:
        return None

    @property
    def callback_manager(self) -> CallbackManager:
        """The callback manager (no LLM to pass it on to)."""
        return self._callback_manager

    @callback_manager.setter
    def callback_manager(self, callback_manager: CallbackManager) -> None:
        self._callback_manager = callback_manager

    def synthesize(
        self,
        query: Any,
        nodes: list[NodeWithScore],
        additional_source_nodes: Sequence[NodeWithScore] | None = None,
        **response_kwargs: Any,
    ) -> CitedResponse:
        """Answer from the nodes through talkrag's answer(); cited nodes become source_nodes."""
        question = query.query_str if isinstance(query, QueryBundle) else str(query)
        hits = [node_to_hit(n) for n in nodes]
        given = _GivenHits(
            hits, self.embedder, self.unknown_terms, self.sentence_vectors, self.understand
        )
        result = answer(question, given, self.settings, filters=self.filters, llm=self.llm)
        return to_response(result)

    async def asynthesize(
        self,
        query: Any,
        nodes: list[NodeWithScore],
        additional_source_nodes: Sequence[NodeWithScore] | None = None,
        **response_kwargs: Any,
    ) -> CitedResponse:
        """synthesize() in a worker thread (the embedder and LLM client block)."""
        return await asyncio.to_thread(self.synthesize, query, nodes)

    def get_response(self, query_str: str, text_chunks: Sequence[str], **kwargs: Any) -> str:
        """Not supported: citations need the nodes' metadata, so call synthesize()."""
        raise TypeError("TalkSynthesizer answers from nodes with metadata: call synthesize()")

    async def aget_response(self, query_str: str, text_chunks: Sequence[str], **kwargs: Any) -> str:
        """Not supported: citations need the nodes' metadata, so call asynthesize()."""
        raise TypeError("TalkSynthesizer answers from nodes with metadata: call asynthesize()")


class TalkQueryEngine(CustomQueryEngine):
    """A query engine that returns `talkrag ask`'s checked answer, citations as source_nodes."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Any = Field(description="talkrag's hybrid Retriever over one index")
    settings: RagSettings = Field(description="mode, k and LLM endpoint, as for `talkrag ask`")
    filters: Filters | None = Field(None, description="speaker, talk, event limits")
    llm: Any = Field(None, description="an LLMClient for llm mode; default: from settings")

    @classmethod
    def from_dir(
        cls, db: Path | str | None = None, filters: Filters | None = None, **settings: Any
    ) -> TalkQueryEngine:
        """Open the index at db; settings as RagSettings fields (mode, k, llm_base_url, ...)."""
        retriever, rag = open_rag(db, **settings)
        return cls(retriever=retriever, settings=rag, filters=filters)

    def custom_query(self, query_str: str) -> CitedResponse:
        """talkrag's answer to one question."""
        return to_response(self.answer(query_str))

    async def acustom_query(self, query_str: str) -> CitedResponse:
        """custom_query() in a worker thread (the embedder and LLM client block)."""
        return await asyncio.to_thread(self.custom_query, query_str)

    def answer(self, question: str, history: Sequence[dict[str, str]] = ()) -> Answer:
        """talkrag's Answer, with the conversation so far for follow-ups."""
        return answer(
            question,
            self.retriever,
            self.settings,
            filters=self.filters,
            history=history,
            llm=self.llm,
        )
