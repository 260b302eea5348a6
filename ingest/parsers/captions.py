"""Subtitle cues (SRT, WebVTT) -> segments: timings checked, tags stripped, rolling repeats gone."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.models import Segment, Talk
from talkrag.ingest.parsers.build import (
    Piece,
    clean_text,
    make_talk,
    title_from_stem,
    video_and_url,
)
from talkrag.ingest.parsers.speakers import (
    accepted_labels,
    attribute,
    label_counts,
    split_changes,
)
from talkrag.ingest.parsers.timecode import clock, parse_timecode

TIMING = re.compile(r"\s*\d+:\d.*-->")
VOICE = re.compile(r"<v(?:\.[^\s>]{0,100})?\s+([^>\n]{0,200})>")
TAGS = re.compile(
    r"</?(?:c|i|b|u|v|lang|ruby|rt|font|span)(?:[.\s][^>\n]{0,200})?>|<\d{1,2}(?::\d{2}){1,2}[.,]\d{1,3}>",
    re.IGNORECASE,
)
ASS_TAGS = re.compile(r"\{\\[^}\n]{0,200}\}")  # `{\an8}` positioning in SRT
DIALOGUE_DASH = re.compile(r"-\s+")  # `- Hi` `- Hello`: two people in one cue


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed cue and its raw text lines."""

    start: float
    end: float
    lines: tuple[str, ...]


def _timing(path: Path, line: str, line_no: int) -> tuple[float, float]:
    """(start, end) of a `start --> end [settings]` line; a bad one is a TranscriptError."""
    left, _, right = line.partition("-->")
    start = parse_timecode(left)
    end = parse_timecode(right.split()[0]) if right.split() else None
    if start is None or end is None:
        raise TranscriptError(path, f"line {line_no}: bad cue timing {line.strip()[:80]!r}")
    if end < start:
        raise TranscriptError(
            path,
            f"line {line_no}: cue ends at {clock(end)}, before it starts at {clock(start)}",
        )
    return start, end


def _payload(lines: Sequence[str], last: bool, vtt: bool) -> list[str]:
    """A cue's text lines: blank ones dropped, the next cue's id and any NOTE block left out."""
    lines = list(lines)
    if not last and lines and lines[-1].strip():
        ident = lines[-1].strip()
        if ident.isdigit() or (len(lines) > 1 and not lines[-2].strip()):
            lines.pop()
    kept: list[str] = []
    for index, line in enumerate(lines):
        after_blank = index > 0 and not lines[index - 1].strip()
        if vtt and after_blank and line.startswith(("NOTE", "STYLE", "REGION")):
            break
        if line.strip():
            kept.append(line.strip())
    return kept


def read_cues(path: Path, lines: Sequence[str], *, vtt: bool) -> list[Cue]:
    """Every cue of a subtitle file, in file order."""
    rows = [i for i, line in enumerate(lines) if TIMING.match(line)]
    if not rows:
        raise TranscriptError(path, "no subtitle cues found (expected 'start --> end' lines)")
    cues: list[Cue] = []
    for k, row in enumerate(rows):
        start, end = _timing(path, lines[row], row + 1)
        stop = rows[k + 1] if k + 1 < len(rows) else len(lines)
        payload = _payload(lines[row + 1 : stop], k + 1 == len(rows), vtt)
        cues.append(Cue(start, end, tuple(payload)))
    return cues


def _clean_line(line: str) -> tuple[str | None, str]:
    """(voice name or None, the line without tags and entities; a dialogue dash as `>>`)."""
    voice = VOICE.search(line)
    text = clean_text(html.unescape(ASS_TAGS.sub("", TAGS.sub("", line))))
    dash = DIALOGUE_DASH.match(text)
    if dash:
        text = ">> " + text[dash.end() :]
    return (clean_text(voice.group(1)) or None) if voice else None, text


def _cue_pieces(cue: Cue, fresh: list[tuple[str | None, str]]) -> list[Piece]:
    """A cue's new lines as pieces: one per `<v>` voice turn."""
    turns: list[tuple[str | None, list[str]]] = []
    for speaker, text in fresh:
        if speaker or not turns:
            turns.append((speaker, [text]))
        else:
            turns[-1][1].append(text)
    return [Piece(" ".join(texts), cue.start, cue.end, speaker) for speaker, texts in turns]


def cue_segments(cues: Sequence[Cue], known: Sequence[str]) -> list[Segment]:
    """Segments of the cues; a line the previous cue showed (rolling captions) is dropped."""
    previous: set[str] = set()
    pieces: list[Piece] = []
    for cue in cues:
        lines = [_clean_line(raw) for raw in cue.lines]
        lines = [(speaker, text) for speaker, text in lines if text]
        if not lines:
            continue
        fresh = [(speaker, text) for speaker, text in lines if text not in previous]
        previous = {text for _, text in lines}
        pieces.extend(_cue_pieces(cue, fresh))
    pieces = split_changes(pieces)
    accepted = accepted_labels(label_counts(p.text for p in pieces), known)
    return attribute(pieces, accepted, known)


def caption_talk(path: Path, meta: dict[str, str], speakers: tuple[str, ...]) -> Talk:
    """The Talk of a subtitle file: title and url from its metadata, else from the file name."""
    video_id, url = video_and_url(path, meta.get("url") or None)
    talk = make_talk(path, meta.get("title") or title_from_stem(path.stem), video_id, url)
    return replace(
        talk, speakers=speakers, date=meta.get("date") or None, event=meta.get("event") or None
    )
