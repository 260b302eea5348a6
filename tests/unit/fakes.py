"""Stand-ins for the model and the index in unit tests of the answer logic (no model, no Chroma).

BagOfWords embeds deterministically (hashed word counts, unit length), so similar wording
scores high and unrelated wording near 0; `vector_at` makes a stored sentence vector with an
exact similarity to a question, for tests of the thresholds. FakeRetriever has the parts of
rag.retrieve.Retriever that answer() uses, and records how it was asked.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np
from talkrag.rag.entities import Understood
from talkrag.rag.models import Citation, Filters, Hit

DIM = 512
_WORD = re.compile(r"[a-z0-9]+")


class BagOfWords:
    """A deterministic embedder: hashed word counts, L2-normalised; records what it embedded."""

    name = "bag-of-words"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def load(self) -> None:
        """Nothing to load."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[row, zlib.crc32(word.encode()) % DIM] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def vector_at(similarity: float, question: str, slot: int = 0) -> np.ndarray:
    """A unit vector whose dot product with the question's BagOfWords vector is similarity."""
    q = BagOfWords().embed([question])[0].astype(np.float64)
    free = [i for i in range(DIM) if q[i] == 0.0]
    side = np.zeros(DIM)
    side[free[slot]] = 1.0  # orthogonal to q: a dimension none of its words hash to
    return (similarity * q + np.sqrt(1.0 - similarity**2) * side).astype(np.float32)


def hit(
    rank: int,
    text: str,
    speakers: Sequence[str] = ("Ana Ruiz",),
    talk: str = "talk-a",
    start: float | None = 12.0,
) -> Hit:
    """A retrieved chunk of a made-up talk."""
    return Hit(
        rank=rank,
        score=1.0 / rank,
        chunk_id=f"{talk}-{rank}",
        source=f"/talks/{talk}.md",
        talk_id=talk,
        title=talk.replace("-", " ").title(),
        speakers=list(speakers),
        start=start,
        end=None if start is None else start + 30.0,
        url=None if start is None else f"https://youtu.be/{talk}?t={int(start)}",
        text=text,
    )


class FakeRetriever:
    """Fixed hits, unknown terms and stored sentence vectors; records every search."""

    def __init__(
        self,
        hits: Sequence[Hit],
        unknown: Sequence[str] = (),
        known: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.hits, self.unknown, self.known = list(hits), list(unknown), dict(known or {})
        self.embedder = BagOfWords()
        self.searches: list[tuple[str, int, Filters | None]] = []
        self.checked: list[str] = []

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        self.searches.append((question, k, filters))
        return self.hits[:k]

    def understand(self, question: str) -> Understood:
        return Understood(question)  # these tests name no speakers (see test_entities.py)

    def unknown_terms(self, text: str) -> list[str]:
        self.checked.append(text)
        return self.unknown

    def sentence_vectors(self, hits: Sequence[Hit]) -> dict[str, np.ndarray]:
        return {t: v for t, v in self.known.items() if any(t in h.text for h in hits)}


# Two hits the answer tests share: a talk on caching (its second sentence about nothing asked)
# and one on batching.
CAUGHT = "Prompt caching cut the monthly bill by ninety percent."
CACHING = hit(
    1,
    f"Priya Raman: {CAUGHT}\nPriya Raman: We moved offices twice that winter for other reasons.",
    speakers=["Priya Raman"],
    talk="prompt-caching",
)
BATCHING = hit(
    2,
    "Continuous batching keeps every slot on the accelerator busy all day long.",
    speakers=["Hannah Lindqvist"],
    talk="gpu-batching",
)


def unquoted(citations: Sequence[Citation]) -> list[Citation]:
    """Citations less their quote, to compare with Citation.from_hit(n, hit, speaker)."""
    return [c.model_copy(update={"quote": None}) for c in citations]
