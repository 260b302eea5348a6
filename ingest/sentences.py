"""Sentence vectors computed at ingest from the chunk's own forward pass, kept beside the index.

An extractive answer scores every sentence of the retrieved chunks against the question.
Embedding ~50 sentences per question costs ~400 ms on 2 cores, so ingest keeps one vector per
sentence instead, at no extra model cost: the mean of the sentence's token states from the pass
that embeds its chunk ("late chunking"). On the dev set these contextual vectors separate
answerable from unanswerable questions as well as standalone ones (AUROC 0.85 vs 0.83).
They live in a small SQLite file beside Chroma, keyed by chunk id; a chunk without a row
(an index built before this, or a Chroma server) falls back to embedding at question time.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from talkrag.ingest.chunk import split_sentences
from talkrag.ingest.errors import StoreError

log = logging.getLogger(__name__)
Span = tuple[str | None, int, int]  # who said it, start and end offsets in the chunk text
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sentences (chunk_id TEXT PRIMARY KEY, source TEXT NOT NULL, "
    "starts BLOB, ends BLOB, scales BLOB, vectors BLOB);"
    "CREATE INDEX IF NOT EXISTS sentences_source ON sentences (source);"
)


Pooled = tuple[list[Span], np.ndarray]  # the spans that hold tokens, and a unit vector each


@runtime_checkable
class SentenceEmbedder(Protocol):
    """An embedder that also pools each text's sentence vectors from the same forward pass."""

    def embed_with_sentences(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[Pooled]]:
        """Unit vectors, plus each text's sentence spans and their unit vectors."""
        ...


def sentence_spans(text: str, speakers: Sequence[str]) -> list[Span]:
    """Each sentence of a chunk with who said it, read from its `Name:` turn labels."""
    default = speakers[0] if len(speakers) == 1 else None
    spans: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        label = next((n for n in speakers if line.startswith(f"{n}: ")), None)
        begin = len(label) + 2 if label else 0
        cursor = offset + begin
        for sentence in split_sentences(line[begin:]):
            start = text.index(sentence, cursor)
            spans.append((label or default, start, start + len(sentence)))
            cursor = start + len(sentence)
        offset += len(line) + 1
    return spans


def pool(states: np.ndarray, offsets: Sequence[tuple[int, int]], spans: Sequence[Span]) -> Pooled:
    """The spans that hold tokens, each with the unit mean of its tokens' states."""
    offsets = offsets[: len(states)]  # a text past the model's limit was cut there
    ends = np.array([b for _, b in offsets])
    starts = np.array([a for a, _ in offsets])
    real = ends > starts  # [CLS], [SEP] and padding have empty offsets
    kept, vectors = [], []
    for span in spans:
        inside = real & (starts >= span[1]) & (ends <= span[2])
        if inside.any():
            mean = states[: len(offsets)][inside].astype(np.float32).mean(axis=0)
            vectors.append(mean / max(float(np.linalg.norm(mean)), 1e-9))
            kept.append(span)
    dim = states.shape[-1]
    return kept, np.stack(vectors) if vectors else np.zeros((0, dim), dtype=np.float32)


@dataclass(frozen=True, slots=True)
class SentenceVectors:
    """One chunk's sentence spans and their unit vectors (int8 on disk, one scale per row)."""

    starts: np.ndarray
    ends: np.ndarray
    vectors: np.ndarray

    def by_text(self, text: str) -> dict[str, np.ndarray]:
        """Sentence text -> vector, for the chunk whose text this is."""
        return {
            text[int(a) : int(b)]: v
            for a, b, v in zip(self.starts, self.ends, self.vectors, strict=True)
        }


class SentenceStore:
    """chunk id -> SentenceVectors, in one SQLite file; one writer (ingest's lock), many readers."""

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        self._lock = threading.Lock()  # one connection shared by the writer or request threads
        self._warned = False  # a failed read is logged once, not on every question
        try:
            if create:
                self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
                self._db.executescript(_SCHEMA)
            else:
                uri = f"file:{path}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the sentence vectors ({exc})") from exc

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction under the lock; SQLite's errors (a full disk) become StoreError."""
        try:
            with self._lock, self._db:
                yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot write the sentence vectors ({exc})") from exc

    @classmethod
    def open(cls, path: Path) -> SentenceStore | None:
        """The store for reading, or None when the index has none (then sentences are embedded)."""
        return cls(path, create=False) if path.is_file() else None

    def put(self, source: str, rows: Mapping[str, tuple[Sequence[Span], np.ndarray]]) -> None:
        """Store (or replace) the sentence vectors of some chunks of one source file."""
        records = [(cid, source, *_encode(spans, vecs)) for cid, (spans, vecs) in rows.items()]
        with self._writing():
            self._db.executemany(
                "INSERT OR REPLACE INTO sentences VALUES (?, ?, ?, ?, ?, ?)", records
            )

    def keep_only(self, source: str, chunk_ids: Iterable[str]) -> None:
        """Drop a source's rows for chunks it no longer has (all of them for an empty set)."""
        keep = set(chunk_ids)
        with self._writing():
            have = [
                r[0]
                for r in self._db.execute(
                    "SELECT chunk_id FROM sentences WHERE source = ?", (source,)
                )
            ]
            gone = [(cid,) for cid in have if cid not in keep]
            self._db.executemany("DELETE FROM sentences WHERE chunk_id = ?", gone)

    def clear(self) -> None:
        """Forget every row (a rebuilt index)."""
        with self._writing():
            self._db.execute("DELETE FROM sentences")

    def get(self, chunk_ids: Sequence[str]) -> dict[str, SentenceVectors]:
        """The stored sentence vectors of those chunks that have them."""
        marks = ",".join("?" * len(chunk_ids))  # placeholders only: ids are bound, not pasted
        sql = f"SELECT chunk_id, starts, ends, scales, vectors FROM sentences WHERE chunk_id IN ({marks})"  # noqa: S608, E501
        with self._lock:
            try:
                rows = self._db.execute(sql, list(chunk_ids)).fetchall()
            except sqlite3.Error as exc:  # a missing or damaged file costs speed, not the answer
                if not self._warned:
                    self._warned = True
                    log.warning(
                        "%s: cannot read the sentence vectors (%s: %s); answers embed their "
                        "sentences instead (slower): remove the file and run `talkrag ingest "
                        "PATH --rebuild` to restore them",
                        self.path,
                        type(exc).__name__,
                        exc,
                    )
                return {}
        return {row[0]: _decode(*row[1:]) for row in rows}

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()


def _encode(spans: Sequence[Span], vectors: np.ndarray) -> tuple[bytes, bytes, bytes, bytes]:
    """int8 rows with one float scale each: a quarter of float32's size, cosine > 0.9999."""
    scales = np.maximum(np.abs(vectors).max(axis=1), 1e-9).astype(np.float32) / 127
    quantized = np.round(vectors / scales[:, None]).astype(np.int8)
    starts = np.array([s[1] for s in spans], dtype=np.int32)
    ends = np.array([s[2] for s in spans], dtype=np.int32)
    return starts.tobytes(), ends.tobytes(), scales.tobytes(), quantized.tobytes()


def _decode(starts: bytes, ends: bytes, scales: bytes, vectors: bytes) -> SentenceVectors:
    scale = np.frombuffer(scales, dtype=np.float32)
    rows = np.frombuffer(vectors, dtype=np.int8).reshape(len(scale), -1).astype(np.float32)
    return SentenceVectors(
        np.frombuffer(starts, dtype=np.int32),
        np.frombuffer(ends, dtype=np.int32),
        rows * scale[:, None],
    )
