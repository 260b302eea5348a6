"""Searcher: what answering needs of retrieval, whoever retrieves (an index, a live server
index, or hits LlamaIndex already chose)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from talkrag.ingest.embed import Embedder
from talkrag.rag.entities import Understood
from talkrag.rag.models import Filters, Hit
from talkrag.rag.settings import SEARCH_K


class Searcher(Protocol):
    """Ranked hits for a question, the index's vocabulary, stored sentence vectors, and the
    embedder that embeds questions as the index embedded its chunks."""

    @property
    def embedder(self) -> Embedder:
        """The query embedder (the backend the index records)."""
        ...

    def search(self, question: str, k: int = SEARCH_K, filters: Filters | None = None) -> list[Hit]:
        """The k best chunks for a question."""
        ...

    def understand(self, question: str) -> Understood:
        """The speakers, companies and talks the question names, and the question without them."""
        ...

    def unknown_terms(self, text: str) -> list[str]:
        """The text's terms that no chunk of the index contains."""
        ...

    def sentence_vectors(self, hits: Sequence[Hit]) -> dict[str, np.ndarray]:
        """Sentence text -> the vector ingest stored for it, over the hits' chunks."""
        ...
