"""Timestamps in transcripts (`mm:ss`, `hh:mm:ss`, `hh:mm:ss,mmm`, `hh:mm:ss.mmm`) as seconds."""

from __future__ import annotations

import re

# A clock time as it appears inside text; `parse_timecode` checks the ranges.
CLOCK = r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?"

_TIMECODE = re.compile(r"(?:(\d{1,3}):)?(\d{1,3}):(\d{2})(?:[.,](\d{1,3}))?")
MINUTE = 60
HOUR = 3600


def parse_timecode(text: str) -> float | None:
    """Seconds for `mm:ss`, `hh:mm:ss` and either with `,mmm` or `.mmm`; None if not one."""
    match = _TIMECODE.fullmatch(text.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(seconds) >= MINUTE or (hours is not None and int(minutes) >= MINUTE):
        return None
    total = int(hours or 0) * HOUR + int(minutes) * MINUTE + int(seconds)
    return total + (float(f"0.{fraction}") if fraction else 0.0)


def clock(seconds: float) -> str:
    """The one clock every face shows: `m:ss`, or `h:mm:ss` from an hour on."""
    whole = int(seconds)
    hours, rest = divmod(whole, HOUR)
    minutes, secs = divmod(rest, MINUTE)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
