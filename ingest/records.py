"""What the index stores beside each vector: chunk and file-record metadata, and back again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from talkrag.ingest.links import deep_link
from talkrag.ingest.models import Chunk, Talk

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
    distance: float | None = None  # to the query, when a vector search returned it
    marks: str | None = None  # JSON [[char, seconds], ...]: when each timed sentence starts
    time_estimated: bool = False  # its times are estimated from word position


def stored_chunk(id_: str, text: str, meta: Metadata, distance: float | None = None) -> StoredChunk:
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
        distance=None if distance is None else float(distance),
        marks=meta.get("marks"),
        time_estimated=bool(meta.get("time_estimated")),
    )


def _clean(meta: Metadata) -> Metadata:
    """Chroma rejects empty lists: store them as absent (None, which `update` deletes)."""
    return {k: (None if v in ([], ()) else v) for k, v in meta.items()}


def for_add(meta: Metadata) -> Metadata:
    """Metadata for `add`/`upsert` of a new id: absent keys left out (Chroma rejects None)."""
    return {k: v for k, v in meta.items() if v is not None}


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
            "companies": list(talk.companies),
            "duration": talk.duration,
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
                "marks": json.dumps(chunk.marks) if len(chunk.marks) > 1 else None,
                "time_estimated": True if chunk.time_estimated else None,  # None: key removed
            }
        )
    )
    return meta


def talk_from(meta: Metadata) -> Talk:
    """The Talk a chunk's or file record's metadata describes."""
    return Talk(
        id=meta["talk_id"],
        title=meta.get("title", meta["talk_id"]),
        source=meta["source"],
        speakers=tuple(meta.get("speakers", ())),
        date=meta.get("date"),
        event=meta.get("event"),
        url=meta.get("talk_url"),
        tags=tuple(meta.get("tags", ())),
        companies=tuple(meta.get("companies", ())),
        duration=meta.get("duration"),
    )


def record_metadata(talk: Talk, fingerprint: str, chunks: int) -> Metadata:
    """A file record's metadata: the talk, the file's fingerprint and its chunk count."""
    return {**talk_metadata(talk), "fingerprint": fingerprint, "chunks": chunks}


def file_record(meta: Metadata) -> FileRecord:
    """The FileRecord a file record's metadata describes."""
    return FileRecord(
        meta["source"], meta["fingerprint"], talk_from(meta), int(meta.get("chunks", 0))
    )
