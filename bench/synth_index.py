"""Write synthetic talks into a real talkrag index (same collections, metadata, fingerprint).

The chunks go in with the metadata functions `talkrag ingest` uses (chunk_metadata, for_add,
record_metadata) and the fingerprint open_index records, so open_retriever opens the result as
it opens any ingested index. Only the model is skipped: vectors come from bench.synth.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from talkrag.ingest.embed import Embedder
from talkrag.ingest.index import Index, open_index
from talkrag.ingest.models import Chunk, Talk
from talkrag.ingest.records import chunk_metadata, for_add, record_metadata
from talkrag.ingest.settings import IngestSettings
from talkrag.ingest.store import ChunkStore, _record_id

from bench import synth

GROUP = 20_000  # chunks generated and written per round: bounded memory, large Chroma batches


@dataclass(frozen=True, slots=True)
class Built:
    """The index after one round of writing: chunks and talks in all, the round's cost."""

    chunks: int
    talks: int
    seconds: float
    added: int

    @property
    def rate(self) -> float:
        """Chunks written per second in this round."""
        return self.added / self.seconds if self.seconds else 0.0


def fresh_index(db: Path) -> Index:
    """A new, empty index at db, opened (and fingerprinted) exactly as `talkrag ingest` opens it."""
    return open_index(IngestSettings(db=db), rebuild=True)


def real_centres(embedder: Embedder, sources: list[synth.Source], per_source: int) -> np.ndarray:
    """Real embeddings of per_source windows of each source: queries land among the data."""
    rng = np.random.default_rng(0)
    texts = []
    for source in sources:
        for _ in range(per_source):
            at = int(rng.integers(max(1, len(source.words) - synth.CENTRE_WORDS)))
            texts.append(" ".join(source.words[at : at + synth.CENTRE_WORDS]))
    return synth.unit(np.asarray(embedder.embed(texts), dtype=np.float32))


def grow(
    store: ChunkStore,
    stream: synth.TalkStream,
    total: int,
    centres: np.ndarray,
    deadline: float | None = None,
) -> Built:
    """Add synthetic talks until total chunks (or the monotonic deadline); stamped as ingest is."""
    per_source = max(1, len(centres) // len(stream.sources))
    rng = np.random.default_rng(total)
    began, before = time.perf_counter(), stream.chunks
    store.bump_generation(writing=True)  # as a run's first write: no reader trusts a half-run
    group: list[tuple[Talk, list[Chunk], int]] = []
    for item in stream.until(total):
        group.append(item)
        if sum(len(c) for _, c, _ in group) >= GROUP:
            _write(store, group, centres, per_source, rng)
            group = []
            if deadline is not None and time.monotonic() > deadline:
                break  # a shared machine may be too slow for the size: stop where we are
    _write(store, group, centres, per_source, rng)
    store.bump_generation(writing=False)
    seconds = time.perf_counter() - began
    return Built(stream.chunks, stream.talks, seconds, stream.chunks - before)


def _write(
    store: ChunkStore,
    group: list[tuple[Talk, list[Chunk], int]],
    centres: np.ndarray,
    per_source: int,
    rng: np.random.Generator,
) -> None:
    """Chunks of many talks in max-size batches, then the talks' file records (records last)."""
    if not group:
        return
    rows = [(t, c) for t, chunks, _ in group for c in chunks]
    owners = np.concatenate(
        [
            (pick * per_source + rng.integers(per_source, size=len(chunks))) % len(centres)
            for _, chunks, pick in group
        ]
    )
    vectors = synth.clustered(centres, owners, rng)
    size = store._max_batch()  # the store's own limit (SQLite variables)
    chunks_col, files_col = _collections(store)
    for at in range(0, len(rows), size):
        part = rows[at : at + size]
        chunks_col.add(
            ids=[c.id for _, c in part],
            embeddings=vectors[at : at + size],
            documents=[c.text for _, c in part],
            metadatas=[for_add(chunk_metadata(c, t)) for t, c in part],
        )
    _add_records(files_col, [(t, len(c)) for t, c, _ in group], size)


def _add_records(files_col: Any, talks: Iterable[tuple[Talk, int]], size: int) -> None:
    items = list(talks)
    for at in range(0, len(items), size):
        part = items[at : at + size]
        files_col.add(
            ids=[_record_id(t.source) for t, _ in part],
            embeddings=[[1.0]] * len(part),
            metadatas=[for_add(record_metadata(t, f"synthetic-{t.id}", n)) for t, n in part],
        )


def _collections(store: ChunkStore) -> tuple[Any, Any]:
    """The chunk and file-record collections (bulk adds across talks; see module docstring)."""
    return store._chunks, store._files  # private: write_file goes one talk at a time


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM): unlike ru_maxrss, not inherited from a forking parent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_bytes(folder: Path, skip: str = "\0") -> int:
    """Bytes of every file under folder, but for those under subfolders named skip*."""
    files = (p for p in folder.rglob("*") if p.is_file())
    return sum(
        p.stat().st_size for p in files if not p.relative_to(folder).parts[0].startswith(skip)
    )
