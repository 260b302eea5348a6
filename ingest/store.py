"""ChunkStore: chunks, vectors and per-file records in Chroma, stamped with a fingerprint."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from talkrag.ingest.errors import IndexMismatch, StoreError
from talkrag.ingest.models import Chunk, Talk
from talkrag.ingest.records import (
    FileRecord,
    Metadata,
    StoredChunk,
    chunk_metadata,
    file_record,
    for_add,
    record_metadata,
    stored_chunk,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
PAGE = 2000  # chunks per `get` by id when reading the whole index (fastest measured)
LOW_DISK = 4 << 20  # bytes free under which a failed write is blamed on a full disk
# Fingerprint keys that older indexes lack, with the value those indexes were built with.
LEGACY_FINGERPRINT: dict[str, str | int] = {"talkrag:backend": "torch"}


def _record_id(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:24]


@contextmanager
def ingest_lock(db: Path) -> Iterator[None]:
    """Hold the data directory's writer lock; a second writer is refused with a clear message."""
    try:
        db.mkdir(parents=True, exist_ok=True)
        handle = open(db / ".talkrag-ingest.lock", "w")  # noqa: SIM115  (held for the block)
    except OSError as exc:
        raise StoreError(
            f"{db}: cannot write to the data directory ({exc.strerror}); ingest needs a "
            "writable --db"
        ) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError(
                f"{db}: another talkrag ingest is writing to this index; wait for it to finish"
            ) from exc
        yield


def _hint(exc: Exception) -> str:
    """What the user can do about a Chroma failure to open, from its message."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text:
        return ": the index is damaged; `talkrag ingest PATH --rebuild` sets it aside, builds anew"
    if "readonly" in text or "read-only" in text:
        return ": the data directory is read-only, and Chroma opens its database for writing"
    return ""


def disk_note(db: Path) -> str:
    """A note when the disk holding db is (nearly) full, which Chroma's errors don't say."""
    try:
        free = shutil.disk_usage(db).free
    except OSError:
        return ""
    if free > LOW_DISK:
        return ""
    return (
        f"; the disk holding {db} has {free // 1024} KiB free: free some space and rerun "
        "(what was stored before stays consistent)"
    )


def set_aside(db: Path) -> Path | None:
    """Move a damaged local index out of db (kept beside it, not deleted); where it went."""
    parts = [p for p in db.iterdir() if p.name != ".talkrag-ingest.lock"] if db.is_dir() else []
    if not parts:
        return None
    aside = db.with_name(f"{db.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    try:
        aside.mkdir()
        for part in parts:
            part.rename(aside / part.name)
    except OSError as exc:  # a read-only parent, or a same-named folder from a second ago
        raise StoreError(
            f"{db}: cannot move the damaged index aside to {aside} ({exc.strerror or exc}); "
            "move it away by hand, then rerun"
        ) from exc
    from chromadb.api.shared_system_client import SharedSystemClient  # noqa: PLC0415

    # Chroma caches one system per path, and the cached one still points at the damaged files.
    SharedSystemClient.clear_system_cache()
    log.warning("%s: moved the damaged index to %s", db, aside)
    return aside


def open_client(db: Path, chroma_url: str | None, create: bool = True) -> Any:
    """A Chroma client: PersistentClient on db, or HttpClient when a server URL is set."""
    if not chroma_url and not create and not (db / "chroma.sqlite3").exists():
        raise StoreError(f"{db}: no talkrag index here: run `talkrag ingest PATH --db {db}` first")
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
        raise StoreError(f"{where}: cannot open the Chroma index ({exc}){_hint(exc)}") from exc


@functools.cache
def _foreign_errors() -> tuple[type[Exception], ...]:
    """The exception types _guarded translates: the storage's own failures, not our bugs."""
    # Resolved on the first failure, not at import: chromadb costs 0.7 s to import and the
    # query path's cold start pays for every eager import. Chroma's Rust binding maps every
    # error it returns onto chromadb.errors (a damaged chroma.sqlite3 is an InternalError,
    # "(code: 26) file is not a database"); its HTTP client raises httpx's TransportError
    # for an unreachable server. OSError and sqlite3.Error: the disk and SQLite beneath.
    import httpx  # noqa: PLC0415
    from chromadb.errors import ChromaError  # noqa: PLC0415

    return (ChromaError, OSError, sqlite3.Error, httpx.TransportError)


def _is_foreign(exc: Exception) -> bool:
    """Whether exc is the storage failing (translated) rather than a bug of ours (propagated)."""
    # Chroma's HTTP client raises a bare Exception(response text) for an error response it
    # cannot type (base_http_client.py); talkrag itself never raises a bare Exception.
    return type(exc) is Exception or isinstance(exc, _foreign_errors())


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Translate Chroma's own errors (a locked or broken database) into StoreError."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            if not _is_foreign(exc):
                raise  # ours (a TalkragError is already clear), or a bug: reported as such
            raise StoreError(
                f"the Chroma index failed in {method.__qualname__} "
                f"({type(exc).__name__}: {exc}){_hint(exc)}"
            ) from exc

    return wrapper


def _shaping(meta: Metadata | None) -> Metadata:
    recorded = {k: v for k, v in (meta or {}).items() if k.startswith("talkrag:")}
    return {**LEGACY_FINGERPRINT, **recorded}


@_guarded
def recorded_fingerprint(client: Any, prefix: str) -> Metadata | None:
    """The fingerprint an existing index records, or None when there is no index yet."""
    names = {getattr(c, "name", c) for c in client.list_collections()}
    if f"{prefix}-chunks" not in names:
        return None
    return _shaping(client.get_collection(f"{prefix}-chunks", embedding_function=None).metadata)


class ChunkStore:
    """The index: chunks with vectors, one record per file, and a generation token."""

    @_guarded
    def __init__(
        self,
        client: Any,
        prefix: str,
        fingerprint: Metadata | None,
        rebuild: bool = False,
        create: bool = True,
    ) -> None:
        """Open (or create) the collections; fingerprint None opens an existing index as is."""
        self._client = client
        names = {getattr(c, "name", c) for c in client.list_collections()}
        if (fingerprint is None or not create) and f"{prefix}-chunks" not in names:
            raise StoreError(
                "no talkrag index here yet: run `talkrag ingest PATH` (with the same --db or "
                "--chroma-url) first"
            )
        if rebuild:
            for part in ("chunks", "files", "state"):
                if f"{prefix}-{part}" in names:
                    client.delete_collection(f"{prefix}-{part}")
        meta = None if fingerprint is None else {"hnsw:space": "cosine", **fingerprint}
        self._chunks = client.get_or_create_collection(
            f"{prefix}-chunks", embedding_function=None, metadata=meta
        )
        self._files = client.get_or_create_collection(f"{prefix}-files", embedding_function=None)
        self._state = client.get_or_create_collection(f"{prefix}-state", embedding_function=None)
        if fingerprint is not None:
            self._check(fingerprint)

    def _check(self, fingerprint: Metadata) -> None:
        if self.fingerprint != fingerprint:
            raise IndexMismatch(
                f"the index was built with {json.dumps(self.fingerprint, sort_keys=True)} but this "
                f"run uses {json.dumps(fingerprint, sort_keys=True)}: rerun ingest with --rebuild, "
                "or use another --db"
            )

    @property
    def fingerprint(self) -> Metadata:
        """The index-shaping settings recorded on the chunk collection."""
        return _shaping(self._chunks.metadata)

    def close(self) -> None:
        """Release the Chroma client, so the next open reads the store afresh from disk."""
        if hasattr(self._client, "close"):
            self._client.close()

    def _state_meta(self) -> Metadata:
        got = self._state.get(ids=["generation"], include=["metadatas"])
        return dict(got["metadatas"][0]) if got["ids"] else {}

    @_guarded
    def generation(self) -> str:
        """A token that changes whenever chunks are written: derived indexes compare it."""
        return str(self._state_meta().get("value", "empty"))

    @_guarded
    def writing(self) -> bool:
        """Whether a run began writing and has not finished (or was killed midway)."""
        return bool(self._state_meta().get("writing", False))

    @_guarded
    def bump_generation(self, writing: bool) -> None:
        """Mark the chunks as changed: before a run's first write (writing) and after its last."""
        meta = {"value": uuid.uuid4().hex, "writing": writing}
        self._state.upsert(ids=["generation"], embeddings=[[1.0]], metadatas=[meta])

    def _all(self, include: list[str], collection: Any = None) -> dict[str, list[Any]]:
        """Every entry in id order: all ids at once, then their fields in batches by id.

        Paging with `offset` rescans every earlier row per page (quadratic: 786 s at 537k
        chunks); one `get` of every field overflows SQLite's variable limit.
        """
        collection = self._chunks if collection is None else collection
        ids = sorted(collection.get(include=[])["ids"])
        out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
        for at in range(0, len(ids), PAGE):
            got = collection.get(ids=ids[at : at + PAGE], include=include)
            order = sorted(range(len(got["ids"])), key=lambda i: got["ids"][i])
            for key, values in out.items():
                column = got[key] or [None] * len(order)
                values.extend(column[i] for i in order)
        return out

    @_guarded
    def rows(self) -> tuple[list[str], list[str], list[Metadata]]:
        """Every chunk's id, text and metadata, in id order (to build derived indexes)."""
        got = self._all(["documents", "metadatas"])
        return got["ids"], got["documents"], [dict(m) for m in got["metadatas"]]

    @_guarded
    def count(self) -> int:
        """Number of chunks in the index."""
        return int(self._chunks.count())

    @_guarded
    def file_records(self) -> list[FileRecord]:
        """Every ingested file, ordered by source path."""
        metas = self._all(["metadatas"], self._files)["metadatas"]
        return sorted((file_record(m) for m in metas), key=lambda r: r.source)

    @_guarded
    def file_record(self, source: str) -> FileRecord | None:
        """The record of one file, or None when it was never (completely) ingested."""
        got = self._files.get(ids=[_record_id(source)], include=["metadatas"])
        return file_record(got["metadatas"][0]) if got["ids"] else None

    @_guarded
    def owner_of(self, talk_id: str) -> str | None:
        """The source file that holds a talk id, if any."""
        got = self._files.get(where={"talk_id": talk_id}, include=["metadatas"])
        return str(got["metadatas"][0]["source"]) if got["ids"] else None

    @_guarded
    def chunk_ids(self, source: str) -> set[str]:
        """Ids of the chunks stored for one source file."""
        return set(self._chunks.get(where={"source": source}, include=[])["ids"])

    @_guarded
    def texts(self) -> list[str]:
        """Every chunk's text (for benchmarks)."""
        return list(self._all(["documents"])["documents"])

    @_guarded
    def chunk_sources(self) -> set[str]:
        """Every source path some chunk belongs to (records included or not)."""
        return {m["source"] for m in self._all(["metadatas"])["metadatas"]}

    @_guarded
    def query(self, vector: np.ndarray, k: int, where: Metadata | None = None) -> list[StoredChunk]:
        """The k chunks nearest to a query vector (cosine distance), nearest first."""
        if self.count() == 0:
            return []
        got = self._chunks.query(
            query_embeddings=[vector],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(
            got["ids"][0],
            got["documents"][0],
            got["metadatas"][0],
            got["distances"][0],
            strict=True,
        )
        return [stored_chunk(i, d, m, dist) for i, d, m, dist in rows]

    @_guarded
    def nearest_ids(self, vector: np.ndarray, k: int, where: Metadata | None = None) -> list[str]:
        """Ids of the k nearest chunks, nearest first; k must not exceed the chunks stored.

        The hot path of search: no text or metadata is read (the caller holds them) and no
        count is taken (the caller knows it), ~5 ms less per query on the whole corpus.
        """
        got = self._chunks.query(query_embeddings=[vector], n_results=k, where=where, include=[])
        return list(got["ids"][0])

    @_guarded
    def write_file(
        self, talk: Talk, fingerprint: str, chunks: Sequence[Chunk], vectors: dict[str, np.ndarray]
    ) -> tuple[int, int]:
        """Make the index hold exactly these chunks for talk.source; returns (added, removed).

        The file record is written last, so a run killed midway leaves the file looking
        changed, and the next run converges to the same index.
        """
        existing = self.chunk_ids(talk.source)
        fresh = [c for c in chunks if c.id not in existing]
        kept = [c for c in chunks if c.id in existing]
        stale = sorted(existing - {c.id for c in chunks})
        size = self._max_batch()
        for batch in _batches(fresh, size):
            self._chunks.upsert(
                ids=[c.id for c in batch],
                embeddings=np.stack([vectors[c.id] for c in batch]),
                documents=[c.text for c in batch],
                metadatas=[for_add(chunk_metadata(c, talk)) for c in batch],
            )
        for batch in _batches(kept, size):  # None deletes a key a manifest no longer sets
            self._chunks.update(
                ids=[c.id for c in batch], metadatas=[chunk_metadata(c, talk) for c in batch]
            )
        for batch in _batches(stale, size):
            self._chunks.delete(ids=list(batch))
        record_id = _record_id(talk.source)
        self._files.delete(ids=[record_id])  # upsert would merge in keys the talk lost
        self._files.add(
            ids=[record_id],
            embeddings=[[1.0]],
            metadatas=[for_add(record_metadata(talk, fingerprint, len(chunks)))],
        )
        return len(fresh), len(stale)

    @_guarded
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
