"""WebVTT captions -> Transcript: cues, `<v Name>` voices, and header or NOTE metadata."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.models import Transcript
from talkrag.ingest.parsers.build import finish
from talkrag.ingest.parsers.captions import caption_talk, cue_segments, read_cues

HEADER = re.compile(r"WEBVTT(?:[ \t]+-?[ \t]*(?P<title>.*))?$")
FIELD = re.compile(r"\s*(?P<key>[A-Za-z]+)[ \t]*:[ \t]*(?P<value>.*\S)")
META_KEYS = frozenset({"title", "speakers", "url", "date", "event"})


def metadata(lines: Sequence[str]) -> dict[str, str]:
    """`key: value` fields of the header block and of NOTE blocks (`NOTE title: ...`)."""
    found = HEADER.match(lines[0]) if lines else None
    meta: dict[str, str] = {}
    if found and found.group("title"):
        meta["title"] = found.group("title").strip()
    in_block = True  # the header block runs from line 1 to the first blank line
    for index in range(1, len(lines)):
        line = lines[index]
        if not line.strip():
            in_block = False
            continue
        if not lines[index - 1].strip() and line.startswith("NOTE"):
            in_block, line = True, line[len("NOTE") :]
        field = FIELD.match(line) if in_block else None
        if field and field.group("key").lower() in META_KEYS:
            meta.setdefault(field.group("key").lower(), field.group("value").strip())
    return meta


def parse(path: Path, text: str) -> Transcript:
    """Parse a WebVTT file; it must open with the `WEBVTT` line."""
    lines = text.split("\n")
    if not HEADER.match(lines[0].rstrip()):
        raise TranscriptError(path, "line 1 is not 'WEBVTT': not a WebVTT file")
    meta = metadata(lines)
    speakers = tuple(s.strip() for s in meta.get("speakers", "").split(",") if s.strip())
    segments = cue_segments(read_cues(path, lines, vtt=True), speakers)
    return finish(path, caption_talk(path, meta, speakers), segments)
