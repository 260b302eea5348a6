"""SubRip (.srt) subtitles -> Transcript: numbered cues with `start --> end` timings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.models import Transcript
from talkrag.ingest.parsers.build import finish
from talkrag.ingest.parsers.captions import TIMING, caption_talk, cue_segments, read_cues


def check_numbers(path: Path, lines: Sequence[str]) -> None:
    """A cue number opening a block must be followed by its timing line."""
    for index, line in enumerate(lines[:-1]):
        opens_block = index == 0 or not lines[index - 1].strip()
        following = lines[index + 1]
        if opens_block and line.strip().isdigit() and following.strip():
            if "-->" in following and not TIMING.match(following):
                raise TranscriptError(
                    path, f"line {index + 2}: bad cue timing {following.strip()[:80]!r}"
                )
            if "-->" not in following:
                raise TranscriptError(
                    path, f"line {index + 2}: expected 'start --> end' after cue {line.strip()}"
                )


def parse(path: Path, text: str) -> Transcript:
    """Parse a SubRip file; cue text lines are joined, tags and rolling repeats removed."""
    lines = text.split("\n")
    check_numbers(path, lines)
    segments = cue_segments(read_cues(path, lines, vtt=False), ())
    return finish(path, caption_talk(path, {}, ()), segments)
