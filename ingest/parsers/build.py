"""The last step every parser shares: pieces of text become Segments, and a Talk, a Transcript."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.links import (
    talk_id_for,
    video_id_from_stem,
    watch_url,
    web_url,
    youtube_id,
)
from talkrag.ingest.models import Segment, Talk, Transcript
from talkrag.ingest.parsers.repeats import unroll

# Turn labels that name a role, not a person (`Q`, `Audience 3`, `Speaker B`): kept on
# segments, left out of Talk.speakers.
GENERIC_SPEAKER = re.compile(
    r"(?:q|a|question|answer|host|moderator|audience(?: members?)?|(?:unknown |new )?speaker"
    r"|unknown|male|female|break|intro|outro|crosstalk|various|panelists?)(?: ?[0-9]+| [a-z])?",
    re.IGNORECASE,
)
ACRONYMS = frozenset({"ai", "api", "gpu", "llm", "llms", "ml", "rag", "mcp", "nlp", "ui", "ux"})
_SPACES = re.compile(r"\s+")
# Control characters (terminal escapes, bells) are never transcript text; terminals obey them.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_YTDLP_ID = re.compile(r"\s*\[[A-Za-z0-9_-]{11}\]")
_NUMBERED = re.compile(r"^(.*\D)-(\d+)$")


@dataclass(slots=True)
class Piece:
    """Text in reading order with what is known of it; `speaker` starts a turn, `change` too."""

    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None  # a label seen right before this text: this speaker starts here
    change: bool = False  # a `>>` marker: someone else, unnamed, starts speaking here


def clean_text(text: str) -> str:
    """Control characters dropped, whitespace runs collapsed to one space, rolled caption
    lines said once, ends trimmed."""
    return unroll(_SPACES.sub(" ", _CONTROLS.sub("", text)).strip())


def title_from_stem(stem: str) -> str:
    """A readable title from a file stem: `practical-ai-250` -> `Practical AI #250`."""
    if video_id_from_stem(stem) == stem:
        return stem  # a bare YouTube id reads best as it is
    stem = _YTDLP_ID.sub("", stem).strip() or stem
    numbered = _NUMBERED.match(stem)
    base, number = (numbered.group(1), numbered.group(2)) if numbered else (stem, "")
    words = [w for w in re.split(r"[-_\s]+", base) if w]
    if not words:
        return stem
    pretty = " ".join(w.upper() if w.lower() in ACRONYMS else w[:1].upper() + w[1:] for w in words)
    return f"{pretty} #{number}" if number else pretty


def make_talk(path: Path, title: str, video_id: str | None = None, url: str | None = None) -> Talk:
    """A Talk for `path`: id from the video id or stem, source the resolved path."""
    talk_id = talk_id_for(path, video_id)
    # A transcript's url is untrusted: only http(s) links survive (no javascript: or data:).
    return Talk(id=talk_id, title=title, source=str(path.resolve()), url=web_url(url))


def video_and_url(path: Path, url: str | None) -> tuple[str | None, str | None]:
    """(YouTube id from the url or else the file name, the url or else that id's watch url)."""
    url = web_url(url)
    video_id = (youtube_id(url) if url else None) or video_id_from_stem(path.stem)
    return video_id, url or (watch_url(video_id) if video_id else None)


def number(path: Path, value: object, where: str) -> float | None:
    """A non-negative finite number of seconds from JSON, None if absent; else TranscriptError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TranscriptError(path, f"{where} is not a number: {str(value)[:40]!r}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise TranscriptError(path, f"{where} is not a time in seconds: {value!r}")
    return seconds


def load_json(path: Path, text: str) -> object:
    """The JSON document in `text`; invalid or too deeply nested JSON is a TranscriptError."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise TranscriptError(path, f"not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise TranscriptError(path, "JSON nested too deeply to read") from exc


def json_text(data: object, key: str) -> str | None:
    """A string field of a JSON object, stripped; None when absent, empty or not a string."""
    value = data.get(key) if isinstance(data, dict) else None
    return (value.strip() or None) if isinstance(value, str) else None


def speakers_of(segments: Iterable[Segment]) -> tuple[str, ...]:
    """Distinct named speakers in order of first turn, roles like `Q` or `Audience` left out."""
    seen = dict.fromkeys(s.speaker for s in segments if s.speaker)
    return tuple(name for name in seen if not GENERIC_SPEAKER.fullmatch(name))


def _with_ends(segments: Sequence[Segment]) -> list[Segment]:
    """Each segment without an end ends where the next later start begins."""
    done: list[Segment] = []
    later: float | None = None  # the nearest start after the current run of equal starts
    for index in range(len(segments) - 1, -1, -1):
        segment = segments[index]
        following = segments[index + 1].start if index + 1 < len(segments) else None
        if following is not None and segment.start is not None and following > segment.start:
            later = following
        elif following is None or segment.start is None or following < segment.start:
            later = None
        if segment.end is None and segment.start is not None and later is not None:
            segment = replace(segment, end=later)
        done.append(segment)
    done.reverse()
    return done


def finish(
    path: Path, talk: Talk, segments: Iterable[Segment], *, prose: bool = False
) -> Transcript:
    """The Transcript: empty segments dropped, ends filled, speakers listed; text required.

    prose: the times are occasional stamps (Markdown, plain text), not every segment's own.
    """
    cleaned = [replace(s, text=clean_text(s.text)) for s in segments]
    kept = [s for s in _with_ends(cleaned) if s.text]  # an empty one's start still ends the last
    if not kept:
        raise TranscriptError(path, "no transcript text found")
    if not talk.speakers:
        talk = replace(talk, speakers=speakers_of(kept))
    return Transcript(talk=talk, segments=tuple(kept), prose=prose)
