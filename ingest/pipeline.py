"""ingest(...): files -> parsed talks -> chunks -> vectors -> Chroma, incremental and idempotent."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from talkrag.ingest.chunk import Tokenizer, chunk_segments
from talkrag.ingest.embed import Embedder
from talkrag.ingest.errors import InputError, TranscriptError
from talkrag.ingest.links import slug
from talkrag.ingest.manifest import Manifest
from talkrag.ingest.models import Chunk, Talk, Transcript
from talkrag.ingest.moments import SPEAKING_RATE, Timing
from talkrag.ingest.parsers import SUPPORTED_SUFFIXES, parse_bytes, read_file
from talkrag.ingest.sentences import SentenceEmbedder, SentenceStore, sentence_spans
from talkrag.ingest.store import ChunkStore

log = logging.getLogger(__name__)

# Bumped when parsing changes what a file yields, so unchanged files are re-read once.
PARSE_VERSION = "3"  # 2: moments estimated between stamps; 3: rolled caption lines said once
# Names a directory walk passes over: project files that sit beside transcripts.
SKIPPED_NAMES = ("readme", "license", "licence", "changelog", "_index")

ProgressFn = Callable[[int, int, int], None]  # files done, files total, chunks added so far


@dataclass(frozen=True, slots=True)
class Failure:
    """A file that could not be ingested, and why, in one line."""

    path: str
    error: str


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did; `to_json()` is the `talkrag ingest --json` shape."""

    files: int = 0
    ingested: int = 0
    talks: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    unchanged: int = 0
    pruned: int = 0
    words_embedded: int = 0
    embed_seconds: float = 0.0
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """A plain dict for JSON output."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["embed_seconds"] = round(self.embed_seconds, 3)
        return data


@dataclass(frozen=True, slots=True)
class _Prepared:
    talk: Talk
    fingerprint: str
    chunks: list[Chunk]


@dataclass(frozen=True, slots=True)
class Chunking:
    """How chunks are cut: the model's tokenizer and the limits."""

    tokenizer: Tokenizer
    max_tokens: int
    overlap_tokens: int


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Failure]]:
    """Transcript files under the given paths (sorted, deduplicated), and paths that are missing."""
    found: dict[Path, None] = {}
    missing: list[Failure] = []
    for path in paths:
        if path.is_file():
            found[path.resolve()] = None
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if _wanted(child, path):
                    found[child.resolve()] = None
        else:
            missing.append(Failure(str(path), "no such file or directory"))
    return list(found), missing


def _wanted(child: Path, root: Path) -> bool:
    hidden = any(part.startswith(".") for part in child.relative_to(root).parts)
    skipped = child.stem.lower().startswith(SKIPPED_NAMES)
    return (
        child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES and not (hidden or skipped)
    )


def timing_of(transcript: Transcript, talk: Talk) -> Timing:
    """How the talk's moments are read: as given, or estimated (prose) over its known length."""
    # A video to open makes a moment worth estimating even with no stamps and no length.
    rate = SPEAKING_RATE if talk.url else None
    return Timing(prose=transcript.prose, duration=talk.duration, rate=rate)


def _file_fingerprint(data: bytes, entry: dict[str, Any], talk_id: str) -> str:
    digest = hashlib.sha256(data)
    digest.update(json.dumps([entry, talk_id], sort_keys=True).encode())
    digest.update(PARSE_VERSION.encode())
    return digest.hexdigest()


class _Run:
    """One ingest run's state: pending files grouped so the model sees large batches."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        chunking: Chunking,
        manifest: Manifest,
        group: int,
        sentences: SentenceStore | None = None,
    ) -> None:
        self.store, self.embedder, self.chunking = store, embedder, chunking
        self.sentences = sentences if isinstance(embedder, SentenceEmbedder) else None
        self.manifest, self.group = manifest, group
        self.report = IngestReport()
        self.pending: list[_Prepared] = []
        self.claimed: dict[str, str] = {}  # talk id -> source, within this run
        self.writing = False
        # Chroma writes overlap the model (both release the GIL); one thread keeps them in order.
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="talkrag-write")
        self.writes: Future[None] | None = None

    def prepare(self, path: Path) -> _Prepared | None:
        """Parse and chunk a file, or None when the index already holds it as it is."""
        data = read_file(path)
        transcript = parse_bytes(path, data)
        talk, entry = self.manifest.apply(path, transcript.talk)
        talk = self._claim(path, talk, chosen="talk_id" in entry)
        fingerprint = _file_fingerprint(data, entry, talk.id)
        record = self.store.file_record(talk.source)
        if record is not None and record.fingerprint == fingerprint:
            return None
        c = self.chunking
        chunks = chunk_segments(
            talk.id,
            transcript.segments,
            c.tokenizer,
            c.max_tokens,
            c.overlap_tokens,
            timing_of(transcript, talk),
        )
        return _Prepared(talk, fingerprint, chunks)

    def _claim(self, path: Path, talk: Talk, chosen: bool) -> Talk:
        """Give the talk an id no other file holds.

        Files that share a video id (one recorded stream, several talks) get the file's slug
        appended; an id chosen in a manifest must be unique, or the file fails.
        """
        owner = self.claimed.get(talk.id) or self.store.owner_of(talk.id)
        if owner and owner != talk.source and not chosen:
            talk = dataclasses.replace(
                talk, id=f"{talk.id}--{slug(path.parent.name + '-' + path.stem)}"
            )
            owner = self.claimed.get(talk.id) or self.store.owner_of(talk.id)
        if owner and owner != talk.source:
            raise TranscriptError(
                path,
                f"talk id '{talk.id}' is already used by {owner}; "
                "give this file its own talk_id in a --metadata manifest",
            )
        self.claimed[talk.id] = talk.source
        return talk

    def flush(self) -> None:
        """Embed what the pending files need, then hand their writes to the writer thread."""
        todo = [(p, c) for p in self.pending for c in _missing(self.store, p)]
        if todo:
            self.embedder.load()  # model load time is not embedding time
        began = time.perf_counter()
        vectors, pooled = self._embed([c for _, c in todo])
        self.report.embed_seconds += time.perf_counter() - began
        by_id = {c.id: vectors[i] for i, (_, c) in enumerate(todo)}
        sentences = {c.id: pooled[i] for i, (_, c) in enumerate(todo) if pooled}
        self.report.words_embedded += sum(len(c.text.split()) for _, c in todo)
        self.wait()  # one group in flight: memory stays bounded, files stay in order
        self.begin_writes()
        self.writes = self.writer.submit(self._write, self.pending, by_id, sentences)
        self.pending = []

    def _embed(self, chunks: list[Chunk]) -> tuple[Any, list[Any]]:
        """The chunks' vectors, and their sentence vectors when the index keeps them."""
        if not chunks:
            return [], []
        texts = [c.text for c in chunks]
        if self.sentences is None:
            return self.embedder.embed(texts), []
        spans = [sentence_spans(c.text, c.speakers) for c in chunks]
        return self.embedder.embed_with_sentences(texts, spans)  # type: ignore[attr-defined]

    def _write(
        self, group: list[_Prepared], by_id: dict[str, Any], sentences: dict[str, Any]
    ) -> None:
        """Write each file of a group, its record last (runs beside the next group's embedding)."""
        for prepared in group:
            ids = [c.id for c in prepared.chunks]
            if self.sentences is not None:  # before the chunks: no chunk is stored without them
                got = {cid: sentences[cid] for cid in ids if cid in sentences}
                self.sentences.put(prepared.talk.source, got)
            added, removed = self.store.write_file(
                prepared.talk, prepared.fingerprint, prepared.chunks, by_id
            )
            if self.sentences is not None:
                self.sentences.keep_only(prepared.talk.source, ids)
            self.report.chunks_added += added
            self.report.chunks_removed += removed
            log.info("wrote %s: %d chunks added, %d removed", prepared.talk.source, added, removed)

    def wait(self) -> None:
        """Block until the group being written is stored; its errors are raised here."""
        if self.writes is not None:
            writes, self.writes = self.writes, None
            writes.result()

    def begin_writes(self) -> None:
        """Stamp a new generation before the first write, so no reader trusts a half-run."""
        if not self.writing and self.pending:
            self.store.bump_generation(writing=True)
            self.writing = True

    def step(self, path: Path) -> None:
        """Take one file: record its failure, count it unchanged, or queue it for embedding."""
        try:
            prepared = self.prepare(path)
        except InputError as exc:
            log.info("failed %s", path)
            self.report.failed.append(Failure(str(path), str(exc)))
            return
        if prepared is None:
            self.report.unchanged += 1
            return
        self.pending.append(prepared)
        self.report.ingested += 1
        if sum(len(p.chunks) for p in self.pending) >= self.group:
            self.flush()


def _missing(store: ChunkStore, prepared: _Prepared) -> list[Chunk]:
    """Chunks the store does not hold yet: only these are embedded."""
    have = store.chunk_ids(prepared.talk.source)
    return [c for c in prepared.chunks if c.id not in have]


def prune(store: ChunkStore, sentences: SentenceStore | None = None) -> tuple[int, int]:
    """Remove talks whose files are gone; returns (files pruned, chunks removed)."""
    sources = {r.source for r in store.file_records()} | store.chunk_sources()
    gone = sorted(s for s in sources if not Path(s).exists())
    if gone:
        store.bump_generation(writing=True)
    removed = sum(store.remove_file(s) for s in gone)
    for source in gone if sentences is not None else ():
        sentences.keep_only(source, ())
    return len(gone), removed


def ingest(  # noqa: PLR0913  (the index's parts, then optional keywords)
    paths: Sequence[Path],
    store: ChunkStore,
    embedder: Embedder,
    chunking: Chunking,
    manifest: Manifest | None = None,
    *,
    group: int = 512,
    do_prune: bool = False,
    on_progress: ProgressFn | None = None,
    sentences: SentenceStore | None = None,
) -> IngestReport:
    """Bring the index in line with the files under paths; only changed files are embedded."""
    began = time.perf_counter()
    run = _Run(store, embedder, chunking, manifest or Manifest(), group, sentences)
    run.writing = store.writing()  # a run killed midway: finish its generation below
    if do_prune:  # first, so a renamed file can take back its talk id
        run.report.pruned, run.report.chunks_removed = prune(store, run.sentences)
    files, missing = discover(paths)
    run.report.files, run.report.failed = len(files), list(missing)
    try:
        for done, path in enumerate(files, start=1):
            run.step(path)
            if on_progress:
                on_progress(done, len(files), run.report.chunks_added)
        run.flush()
        run.wait()
    finally:  # an error or ^C midway still lets the group in flight finish, record last
        run.writer.shutdown(wait=True)
    if on_progress:
        on_progress(len(files), len(files), run.report.chunks_added)
    if run.writing or run.report.pruned:
        store.bump_generation(writing=False)  # and after the last, for readers that loaded midway
    run.report.talks = len(store.file_records())
    run.report.seconds = time.perf_counter() - began
    return run.report
