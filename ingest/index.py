"""open_index(settings): one index's store, embedder and chunking; run_ingest and list_talks."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talkrag.ingest.backends import BACKEND_KEY, DEFAULT_BACKEND, choose_backend, make_embedder
from talkrag.ingest.chunk import CHUNKER_VERSION
from talkrag.ingest.embed import Embedder, load_tokenizer, model_max_tokens, resolve_model
from talkrag.ingest.errors import ConfigError, StoreError
from talkrag.ingest.manifest import load_manifest, merge
from talkrag.ingest.pipeline import Chunking, IngestReport, ProgressFn, ingest
from talkrag.ingest.records import FileRecord
from talkrag.ingest.sentences import SentenceStore
from talkrag.ingest.settings import IngestSettings
from talkrag.ingest.store import (
    ChunkStore,
    disk_note,
    ingest_lock,
    open_client,
    recorded_fingerprint,
    set_aside,
)


@dataclass(frozen=True, slots=True)
class Index:
    """An opened index: where chunks live, what embeds them, how they are cut."""

    store: ChunkStore
    embedder: Embedder
    chunking: Chunking
    sentences: SentenceStore | None = None
    backend: str = DEFAULT_BACKEND  # the embedding backend the index records (or will)


def fingerprint(
    model_name: str, max_tokens: int, overlap_tokens: int, backend: str
) -> dict[str, str | int]:
    """The index-shaping settings, recorded on the index and checked on every open."""
    return {
        "talkrag:model": model_name,
        "talkrag:max_tokens": max_tokens,
        "talkrag:overlap_tokens": overlap_tokens,
        "talkrag:chunker": CHUNKER_VERSION,
        BACKEND_KEY: backend,
    }


def open_index(settings: IngestSettings, rebuild: bool = False, create: bool = True) -> Index:
    """Open (or create) the index the settings point at; rebuild drops it first."""
    model_dir, model_name = resolve_model(settings.model)
    limit = model_max_tokens(model_dir)
    if limit is not None and settings.max_tokens > limit:
        raise ConfigError(
            f"TALKRAG_MAX_TOKENS={settings.max_tokens} exceeds the model's limit of {limit} "
            "word pieces: text past it would be silently cut"
        )
    client = open_client(settings.db, settings.chroma_url, create)
    recorded = None if rebuild else recorded_fingerprint(client, settings.collection)
    backend = choose_backend(settings.backend, recorded and str(recorded[BACKEND_KEY]), create)
    shape = fingerprint(model_name, settings.max_tokens, settings.overlap_tokens, backend)
    store = ChunkStore(client, settings.collection, shape, rebuild, create)
    embedder = make_embedder(
        model_dir, model_name, backend, settings.max_tokens, settings.batch_size, settings.cache
    )
    chunking = Chunking(load_tokenizer(model_dir), settings.max_tokens, settings.overlap_tokens)
    return Index(store, embedder, chunking, _sentences(settings, rebuild, create), backend)


def sentences_path(settings: IngestSettings) -> Path:
    """Where an index's sentence vectors are kept, beside its Chroma files."""
    return settings.db / f"sentences-{settings.collection}.sqlite3"


def _sentences(settings: IngestSettings, rebuild: bool, create: bool) -> SentenceStore | None:
    """The sentence vectors of a local index (a Chroma server's index has none: embedded live)."""
    if settings.chroma_url:
        return None
    if not create:
        return SentenceStore.open(sentences_path(settings))
    store = SentenceStore(sentences_path(settings))
    if rebuild:
        store.clear()
    return store


def run_ingest(
    settings: IngestSettings,
    paths: Sequence[Path],
    manifests: Sequence[Path],
    *,
    prune: bool = False,
    rebuild: bool = False,
    on_progress: ProgressFn | None = None,
) -> IngestReport:
    """Open the index under the writer lock and ingest the paths into it."""
    manifest = merge([load_manifest(m) for m in manifests])
    lock = nullcontext() if settings.chroma_url else ingest_lock(settings.db)
    with lock:
        if rebuild and not settings.chroma_url:
            _set_aside_if_damaged(settings.db)
        index = open_index(settings, rebuild=rebuild)
        try:
            return ingest(
                paths,
                index.store,
                index.embedder,
                index.chunking,
                manifest,
                group=settings.embed_group,
                do_prune=prune,
                on_progress=on_progress,
                sentences=index.sentences,
            )
        except StoreError as exc:
            note = "" if settings.chroma_url else disk_note(settings.db)
            if not note:
                raise
            raise StoreError(f"{exc}{note}") from exc


def _set_aside_if_damaged(db: Path) -> None:
    """Before a rebuild: an index Chroma can't even open is moved aside, not left in the way."""
    if not (db / "chroma.sqlite3").exists():
        return
    try:
        open_client(db, None)
    except StoreError:
        set_aside(db)


def talk_row(record: FileRecord) -> dict[str, Any]:
    """One talk as `talkrag talks --json` (and the API and MCP tools) list it."""
    t = record.talk
    return {
        "talk_id": t.id,
        "title": t.title,
        "speakers": list(t.speakers),
        "date": t.date,
        "event": t.event,
        "url": t.url,
        "source": record.source,
        "chunks": record.chunks,
    }


def list_talks(settings: IngestSettings) -> list[dict[str, Any]]:
    """The ingested talks as plain dicts (`talkrag talks --json`), with their chunk counts."""
    client = open_client(settings.db, settings.chroma_url, create=False)
    store = ChunkStore(client, settings.collection, fingerprint=None)
    return [talk_row(r) for r in store.file_records()]
