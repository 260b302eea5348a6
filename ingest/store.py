"""ChunkStore: chunks, vectors and per-file records in Chroma, stamped with a fingerprint."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from talkrag.ingest.errors import IndexMismatch, StoreError
from talkrag.ingest.links import deep_link
from talkrag.ingest.models import Chunk, Talk

log = logging.getLogger(__name__)

Metadata = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What the index remembers of one ingested file: its fingerprint, talk and chunk count."""

    source: str
    fingerprint: str
    talk: Talk
    chunks: int


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A chunk as the index returns it, with its talk's fields and its distance to a query."""

    id: str
    text: str
    talk_id: str
    title: str
    source: str
    speakers: tuple[str, ...]
    start: float | None
    end: float | None
    url: str | None
    position: int
    distance: float


def stored_chunk(id_: str, text: str, meta: Metadata, distance: float) -> StoredChunk:
    """A StoredChunk from Chroma's id, document and metadata."""
    return StoredChunk(
        id=id_,
        text=text,
        talk_id=meta["talk_id"],
        title=meta.get("title", meta["talk_id"]),
        source=meta["source"],
        speakers=tuple(meta.get("speakers", ())),
        start=meta.get("start"),
        end=meta.get("end"),
        url=meta.get("url") or meta.get("talk_url"),
        position=int(meta.get("position", 0)),
        distance=float(distance),
    )


def _clean(meta: Metadata) -> Metadata:
    """Chroma rejects None and empty lists: leave such keys out."""
    return {k: v for k, v in meta.items() if v is not None and v not in ([], ())}


def talk_metadata(talk: Talk) -> Metadata:
    """The talk fields every chunk and file record carries."""
    return _clean(
        {
            "talk_id": talk.id,
            "title": talk.title,
            "source": talk.source,
            "speakers": list(talk.speakers),
            "date": talk.date,
            "event": talk.event,
            "talk_url": talk.url,
            "tags": list(talk.tags),
        }
    )


def chunk_metadata(chunk: Chunk, talk: Talk) -> Metadata:
    """A chunk's Chroma metadata: its talk, position, speakers, moment and deep link."""
    meta = talk_metadata(talk)
    meta.pop("speakers", None)  # the talk's speakers are on the file record
    meta.update(
        _clean(
            {
                "position": chunk.position,
                "speakers": list(chunk.speakers),
                "start": chunk.start,
                "end": chunk.end,
                "n_tokens": chunk.n_tokens,
                "url": deep_link(talk.url, chunk.start) if talk.url else None,
            }
        )
    )
    return meta


def _talk_from(meta: Metadata) -> Talk:
    return Talk(
        id=meta["talk_id"],
        title=meta.get("title", meta["talk_id"]),
        source=meta["source"],
        speakers=tuple(meta.get("speakers", ())),
        date=meta.get("date"),
        event=meta.get("event"),
        url=meta.get("talk_url"),
        tags=tuple(meta.get("tags", ())),
    )


def _record_id(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:24]


@contextmanager
def ingest_lock(db: Path) -> Iterator[None]:
    """Hold the data directory's writer lock; a second writer is refused with a clear message."""
    db.mkdir(parents=True, exist_ok=True)
    with open(db / ".talkrag-ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError(
                f"{db}: another talkrag ingest is writing to this index; wait for it to finish"
            ) from exc
        yield


def open_client(db: Path, chroma_url: str | None) -> Any:
    """A Chroma client: PersistentClient on db, or HttpClient when a server URL is set."""
    import chromadb  # noqa: PLC0415  (0.7 s import, only when the index is used)

    try:
        if chroma_url:
            from urllib.parse import urlparse  # noqa: PLC0415

            url = urlparse(chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or 8000,
                ssl=url.scheme == "https",
            )
        db.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(db))
    except (ValueError, OSError, RuntimeError, chromadb.errors.ChromaError) as exc:
        where = chroma_url or str(db)
        raise StoreError(f"{where}: cannot open the Chroma index ({exc})") from exc


class ChunkStore:
    """The index: a chunk collection with vectors and a file collection with one record a file."""

    def __init__(
        self, client: Any, prefix: str, fingerprint: Metadata | None, rebuild: bool = False
    ) -> None:
        """Open the collections; fingerprint None opens read-only, with no check."""
        self._client = client
        try:
            if rebuild:
                self._drop(prefix)
            if fingerprint is None:
                self._chunks, self._files, self._state = self._existing(prefix)
                return
            self._chunks = client.get_or_create_collection(
                f"{prefix}-chunks",
                embedding_function=None,
                metadata={"hnsw:space": "cosine", **fingerprint},
            )
            self._files = client.get_or_create_collection(
                f"{prefix}-files", embedding_function=None
            )
            self._state = client.get_or_create_collection(
                f"{prefix}-state", embedding_function=None
            )
        except Exception as exc:  # Chroma's Rust binding raises assorted untyped errors
            raise StoreError(f"cannot open Chroma collections '{prefix}-*' ({exc})") from exc
        self._check(fingerprint)

    def _existing(self, prefix: str) -> tuple[Any, Any, Any]:
        names = {getattr(c, "name", c) for c in self._client.list_collections()}
        wanted = [f"{prefix}-{part}" for part in ("chunks", "files", "state")]
        return tuple(  # type: ignore[return-value]
            self._client.get_collection(n, embedding_function=None) if n in names else _Empty()
            for n in wanted
        )

    def _drop(self, prefix: str) -> None:
        names = {getattr(c, "name", c) for c in self._client.list_collections()}
        for name in (f"{prefix}-chunks", f"{prefix}-files", f"{prefix}-state"):
            if name in names:
                self._client.delete_collection(name)

    def _check(self, fingerprint: Metadata) -> None:
        stored = {
            k: v for k, v in (self._chunks.metadata or {}).items() if k.startswith("talkrag:")
        }
        if stored != fingerprint:
            raise IndexMismatch(
                f"the index was built with {json.dumps(stored, sort_keys=True)} but this run uses "
                f"{json.dumps(fingerprint, sort_keys=True)}: rerun ingest with --rebuild, "
                "or use another --db"
            )

    @property
    def fingerprint(self) -> Metadata:
        """The index-shaping settings recorded on the chunk collection."""
        meta = self._chunks.metadata or {}
        return {k: v for k, v in meta.items() if k.startswith("talkrag:")}

    def generation(self) -> str:
        """A token that changes whenever chunks are written: derived indexes compare it."""
        got = self._state.get(ids=["generation"], include=["metadatas"])
        return str(got["metadatas"][0]["value"]) if got["ids"] else "empty"

    def bump_generation(self) -> None:
        """Mark the chunks as changed (before and after a run's writes)."""
        value = uuid.uuid4().hex
        self._state.upsert(ids=["generation"], embeddings=[[1.0]], metadatas=[{"value": value}])

    def rows(self) -> tuple[list[str], list[str], list[Metadata]]:
        """Every chunk's id, text and metadata, in id order (to build derived indexes)."""
        got = self._chunks.get(include=["documents", "metadatas"])
        order = sorted(range(len(got["ids"])), key=lambda i: got["ids"][i])
        return (
            [got["ids"][i] for i in order],
            [got["documents"][i] for i in order],
            [got["metadatas"][i] for i in order],
        )

    def count(self) -> int:
        """Number of chunks in the index."""
        return int(self._chunks.count())

    def file_records(self) -> list[FileRecord]:
        """Every ingested file, ordered by source path."""
        got = self._files.get(include=["metadatas"])
        records = [
            FileRecord(m["source"], m["fingerprint"], _talk_from(m), int(m.get("chunks", 0)))
            for m in got["metadatas"]
        ]
        return sorted(records, key=lambda r: r.source)

    def file_record(self, source: str) -> FileRecord | None:
        """The record of one file, or None when it was never (completely) ingested."""
        got = self._files.get(ids=[_record_id(source)], include=["metadatas"])
        if not got["ids"]:
            return None
        m = got["metadatas"][0]
        return FileRecord(m["source"], m["fingerprint"], _talk_from(m), int(m.get("chunks", 0)))

    def owner_of(self, talk_id: str) -> str | None:
        """The source file that holds a talk id, if any."""
        got = self._files.get(where={"talk_id": talk_id}, include=["metadatas"])
        return got["metadatas"][0]["source"] if got["ids"] else None

    def chunk_ids(self, source: str) -> set[str]:
        """Ids of the chunks stored for one source file."""
        return set(self._chunks.get(where={"source": source}, include=[])["ids"])

    def texts(self) -> list[str]:
        """Every chunk's text (for benchmarks and rebuilding the lexical index)."""
        return list(self._chunks.get(include=["documents"])["documents"])

    def chunk_sources(self) -> set[str]:
        """Every source path some chunk belongs to (records included or not)."""
        metas = self._chunks.get(include=["metadatas"])["metadatas"]
        return {m["source"] for m in metas}

    def query(self, vector: np.ndarray, k: int, where: Metadata | None = None) -> list[StoredChunk]:
        """The k chunks nearest to a query vector (cosine distance), nearest first."""
        if self.count() == 0:
            return []
        try:
            got = self._chunks.query(
                query_embeddings=[vector],
                n_results=k,
                where=where,
                include=["documents", "metadatas", "distances"],
            )
        except Exception as exc:  # Chroma's Rust binding raises assorted untyped errors
            raise StoreError(f"cannot search the index ({exc})") from exc
        return [
            stored_chunk(i, d, m, dist)
            for i, d, m, dist in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            )
        ]

    def write_file(
        self, talk: Talk, fingerprint: str, chunks: Sequence[Chunk], vectors: dict[str, np.ndarray]
    ) -> tuple[int, int]:
        """Make the index hold exactly these chunks for talk.source; returns (added, removed).

        The file record is written last, so a run killed midway leaves the file looking
        changed, and the next run converges to the same index.
        """
        existing = self.chunk_ids(talk.source)
        new_ids = [c.id for c in chunks]
        fresh = [c for c in chunks if c.id not in existing]
        kept = [c for c in chunks if c.id in existing]
        stale = sorted(existing - set(new_ids))
        for batch in _batches(fresh, self._max_batch()):
            self._chunks.upsert(
                ids=[c.id for c in batch],
                embeddings=np.stack([vectors[c.id] for c in batch]),
                documents=[c.text for c in batch],
                metadatas=[chunk_metadata(c, talk) for c in batch],
            )
        for batch in _batches(kept, self._max_batch()):
            self._chunks.update(
                ids=[c.id for c in batch], metadatas=[chunk_metadata(c, talk) for c in batch]
            )
        for batch in _batches(stale, self._max_batch()):
            self._chunks.delete(ids=list(batch))
        record = {**talk_metadata(talk), "fingerprint": fingerprint, "chunks": len(chunks)}
        self._files.upsert(ids=[_record_id(talk.source)], embeddings=[[1.0]], metadatas=[record])
        return len(fresh), len(stale)

    def remove_file(self, source: str) -> int:
        """Remove a file's chunks, then its record; returns the chunks removed."""
        ids = sorted(self.chunk_ids(source))
        for batch in _batches(ids, self._max_batch()):
            self._chunks.delete(ids=list(batch))
        self._files.delete(ids=[_record_id(source)])
        return len(ids)

    def _max_batch(self) -> int:
        try:
            return int(self._client.get_max_batch_size())
        except (AttributeError, TypeError):
            return 1000


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Empty:
    """Stands in for a collection that does not exist yet, when opened read-only."""

    metadata: Metadata = {}  # noqa: RUF012

    def generation(self) -> str:
        """A token that changes whenever chunks are written: derived indexes compare it."""
        got = self._state.get(ids=["generation"], include=["metadatas"])
        return str(got["metadatas"][0]["value"]) if got["ids"] else "empty"

    def bump_generation(self) -> None:
        """Mark the chunks as changed (before and after a run's writes)."""
        value = uuid.uuid4().hex
        self._state.upsert(ids=["generation"], embeddings=[[1.0]], metadatas=[{"value": value}])

    def rows(self) -> tuple[list[str], list[str], list[Metadata]]:
        """Every chunk's id, text and metadata, in id order (to build derived indexes)."""
        got = self._chunks.get(include=["documents", "metadatas"])
        order = sorted(range(len(got["ids"])), key=lambda i: got["ids"][i])
        return (
            [got["ids"][i] for i in order],
            [got["documents"][i] for i in order],
            [got["metadatas"][i] for i in order],
        )

    def count(self) -> int:
        return 0

    def get(self, **_: Any) -> dict[str, list[Any]]:
        return {"ids": [], "metadatas": [], "documents": []}
