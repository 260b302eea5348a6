"""Moments in prose transcripts: each sentence's time, read between stamps by word position.

Captions and Whisper/YouTube JSON time every segment. Prose transcripts time a few points at
most: `[mm:ss]` stamps, `Name: hh:mm:ss` turns, and the video's length from a manifest. Between
two such points speech runs at a roughly steady rate, so a sentence's time is interpolated
linearly by its first word's position: with no stamps, time = word position x duration / words.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

Anchor = tuple[int, float]  # a word's position in the talk and the second it is said
Span = tuple[int, float | None]  # a run of words: how many, and its own stamp when it has one


@dataclass(frozen=True, slots=True)
class Timing:
    """How a talk's sentences get their moments: read as they are, or estimated (prose)."""

    prose: bool = False  # times, if any, are occasional stamps: each sentence's is estimated
    duration: float | None = None  # the video's length in seconds, when known


@dataclass(frozen=True, slots=True)
class Moment:
    """When a span of words starts and ends, and whether that is an estimate."""

    start: float | None
    end: float | None
    estimated: bool


def anchors(stamps: Sequence[Anchor], words: int, duration: float | None) -> list[Anchor]:
    """The points times are read between: the talk's start, its stamps, and its end when known.

    A stamp earlier than the one before it is a typo and is passed over; the end counts only
    when it comes after the last stamp.
    """
    if not stamps and duration is None:
        return []
    points: list[Anchor] = [(0, 0.0)]  # a transcript starts where its recording does
    for word, seconds in stamps:
        if seconds < points[-1][1]:
            continue
        if word == points[-1][0]:
            points[-1] = (word, seconds)  # the later of two stamps with no words between
        else:
            points.append((word, seconds))
    if duration is not None and words > points[-1][0] and duration > points[-1][1]:
        points.append((words, float(duration)))
    return points


def at_word(points: Sequence[Anchor], word: float) -> float | None:
    """When the word at this position is said: linear between the anchors around it.

    Past the last anchor (no known end) the last one's time is kept: a lower bound.
    """
    if not points:
        return None
    after = bisect_right(points, word, key=lambda point: point[0])
    if after == len(points):
        return points[-1][1]
    (w0, t0), (w1, t1) = points[max(after - 1, 0)], points[after]
    if w1 == w0:
        return t1
    return t0 + (word - w0) * (t1 - t0) / (w1 - w0)


def place(spans: Sequence[Span], duration: float | None) -> list[Moment]:
    """Each span's moment from its word position; exact only where its own stamp is kept."""
    offsets = list(accumulate((n for n, _ in spans), initial=0))
    stamps = [(offsets[i], float(t)) for i, (_, t) in enumerate(spans) if t is not None]
    points = anchors(stamps, offsets[-1], duration)
    kept = set(points)
    moments = []
    for i, (n, stamp) in enumerate(spans):
        start, end = at_word(points, offsets[i]), at_word(points, offsets[i] + n)
        exact = stamp is not None and (offsets[i], float(stamp)) in kept
        moments.append(Moment(start, end, start is not None and not exact))
    return moments
