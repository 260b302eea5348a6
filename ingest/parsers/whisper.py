"""Whisper JSON -> Transcript: `segments` with start, end, text and an optional speaker."""

from __future__ import annotations

from pathlib import Path

from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.models import Segment, Transcript
from talkrag.ingest.parsers.build import (
    finish,
    json_text,
    load_json,
    make_talk,
    number,
    title_from_stem,
    video_and_url,
)


def looks_like(data: object) -> bool:
    """Whether a JSON document has Whisper's shape: `segments`, or a bare `text`."""
    if not isinstance(data, dict):
        return False
    return "segments" in data or isinstance(data.get("text"), str)


def _segment(path: Path, index: int, item: object) -> Segment:
    where = f"segment {index}"
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise TranscriptError(path, f"{where} has no 'text' string")
    start = number(path, item.get("start"), f"{where} 'start'")
    end = number(path, item.get("end"), f"{where} 'end'")
    if start is not None and end is not None and end < start:
        raise TranscriptError(path, f"{where} ends ({end}) before it starts ({start})")
    return Segment(text=item["text"], speaker=json_text(item, "speaker"), start=start, end=end)


def from_data(path: Path, data: dict[str, object]) -> Transcript:
    """The Transcript of a loaded Whisper document."""
    raw = data.get("segments")
    if raw is None:
        segments = [Segment(text=json_text(data, "text") or "")]
    elif isinstance(raw, list):
        segments = [_segment(path, i, item) for i, item in enumerate(raw)]
    else:
        raise TranscriptError(path, "'segments' is not a list")
    video_id, url = video_and_url(path, json_text(data, "url"))
    title = json_text(data, "title") or title_from_stem(path.stem)
    return finish(path, make_talk(path, title, video_id, url), segments)


def parse(path: Path, text: str) -> Transcript:
    """Parse a Whisper JSON transcript."""
    data = load_json(path, text)
    if not isinstance(data, dict) or not looks_like(data):
        raise TranscriptError(path, "not a Whisper transcript (expected 'segments' or 'text')")
    return from_data(path, data)
