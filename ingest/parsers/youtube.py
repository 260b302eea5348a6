"""YouTube transcript JSON -> Transcript: `[{text, start, duration}]` lists and json3 `events`."""

from __future__ import annotations

import html
from pathlib import Path

from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.links import watch_url
from talkrag.ingest.models import Transcript
from talkrag.ingest.parsers.build import (
    Piece,
    finish,
    json_text,
    load_json,
    make_talk,
    number,
    title_from_stem,
    video_and_url,
)
from talkrag.ingest.parsers.speakers import (
    accepted_labels,
    attribute,
    label_counts,
    split_changes,
)

MS = 1000.0


def looks_like(data: object) -> bool:
    """Whether a JSON document is a caption list, or an object with `transcript` or `events`."""
    if isinstance(data, list):
        return True
    return isinstance(data, dict) and ("transcript" in data or "events" in data)


def _caption(path: Path, index: int, item: object) -> Piece:
    """One `{text, start, duration}` caption (youtube-transcript-api's shape)."""
    where = f"caption {index}"
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise TranscriptError(path, f"{where} has no 'text' string")
    start = number(path, item.get("start"), f"{where} 'start'")
    duration = number(path, item.get("duration"), f"{where} 'duration'")
    end = start + duration if start is not None and duration is not None else None
    return Piece(html.unescape(item["text"]), start, end)


def _event(path: Path, index: int, item: object) -> Piece:
    """One json3 event: `tStartMs`, `dDurationMs` and `segs` of `utf8` text."""
    where = f"event {index}"
    segs = item.get("segs") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not isinstance(segs, list):
        return Piece("")  # window and style events carry no text
    texts = (s.get("utf8") for s in segs if isinstance(s, dict))
    text = "".join(t for t in texts if isinstance(t, str))
    start = number(path, item.get("tStartMs"), f"{where} 'tStartMs'")
    duration = number(path, item.get("dDurationMs"), f"{where} 'dDurationMs'")
    start = start / MS if start is not None else None
    end = start + duration / MS if start is not None and duration is not None else None
    return Piece(text, start, end)


def _pieces(path: Path, data: object) -> list[Piece]:
    """The caption pieces of any supported shape; another shape is a TranscriptError."""
    if isinstance(data, dict) and "events" in data:
        events = data["events"]
        if not isinstance(events, list):
            raise TranscriptError(path, "'events' is not a list")
        return [_event(path, i, item) for i, item in enumerate(events)]
    items = data.get("transcript") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise TranscriptError(path, "'transcript' is not a list of captions")
    return [_caption(path, i, item) for i, item in enumerate(items)]


def from_data(path: Path, data: object) -> Transcript:
    """The Transcript of a loaded YouTube transcript document."""
    pieces = split_changes(_pieces(path, data))
    video_id = json_text(data, "video_id") or json_text(data, "videoId")
    linked_id, url = video_and_url(path, json_text(data, "url"))
    video_id = video_id or linked_id
    if video_id and not url:
        url = watch_url(video_id)
    title = json_text(data, "title") or title_from_stem(path.stem)
    accepted = accepted_labels(label_counts(p.text for p in pieces), ())
    segments = attribute(pieces, accepted, ())
    return finish(path, make_talk(path, title, video_id, url), segments)


def parse(path: Path, text: str) -> Transcript:
    """Parse a YouTube transcript JSON file."""
    data = load_json(path, text)
    if not looks_like(data):
        raise TranscriptError(path, "not a YouTube transcript (expected a list of captions)")
    return from_data(path, data)
