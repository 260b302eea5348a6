"""Question -> ranked chunks from the index (dense search in Chroma)."""

from __future__ import annotations

import time

from talkrag.ingest.embed import Embedder
from talkrag.ingest.store import ChunkStore, StoredChunk
from talkrag.rag.models import Hit


def _hit(rank: int, chunk: StoredChunk) -> Hit:
    return Hit(
        rank=rank,
        score=round(1.0 - chunk.distance, 4),
        chunk_id=chunk.id,
        source=chunk.source,
        talk_id=chunk.talk_id,
        title=chunk.title,
        speakers=list(chunk.speakers),
        start=chunk.start,
        end=chunk.end,
        url=chunk.url,
        text=chunk.text,
    )


def search(store: ChunkStore, embedder: Embedder, question: str, k: int) -> tuple[list[Hit], float]:
    """The k chunks closest to the question, and the milliseconds the search took."""
    began = time.perf_counter()
    vector = embedder.embed([question])[0]
    hits = [_hit(rank, c) for rank, c in enumerate(store.query(vector, k), start=1)]
    return hits, (time.perf_counter() - began) * 1000
