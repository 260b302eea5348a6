"""Moments in prose transcripts: each sentence's time, read between stamps by word position.

Captions and Whisper/YouTube JSON time every segment. Prose transcripts time a few points at
most: `[mm:ss]` stamps, `Name: hh:mm:ss` turns, and the video's length from a manifest. Between
two such points speech runs at a roughly steady rate, so a sentence's time is interpolated
linearly by its first word's position: with no stamps, time = word position x duration / words.
Where the length is unknown, the words after the last stamp run at the stamps' own rate, and a
talk with no stamps but a video to open is read at SPEAKING_RATE.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

Anchor = tuple[int, float]  # a word's position in the talk and the second it is said
Span = tuple[int, float | None]  # a run of words: how many, and its own stamp when it has one
# Words a second: the median of the 77 AI Engineer talks whose length the channel file gives
# (their captions not repeated; bench.moments measures what it costs where lengths are known).
SPEAKING_RATE = 2.7


@dataclass(frozen=True, slots=True)
class Timing:
    """How a talk's sentences get their moments: read as they are, or estimated (prose)."""

    prose: bool = False  # times, if any, are occasional stamps: each sentence's is estimated
    duration: float | None = None  # the video's length in seconds, when known
    rate: float | None = None  # words a second to assume when neither stamps nor length are


@dataclass(frozen=True, slots=True)
class Moment:
    """When a span of words starts and ends, and whether that is an estimate."""

    start: float | None
    end: float | None
    estimated: bool


def anchors(
    stamps: Sequence[Anchor], words: int, duration: float | None, rate: float | None = None
) -> list[Anchor]:
    """The points times are read between: the talk's start, its stamps, and its end.

    A stamp earlier than the one before it is a typo and is passed over. The end is the
    duration when it comes after the last stamp; unknown, it is reached at the stamps' own
    rate, or at `rate` words a second when there are none (no rate: no end, no times).
    """
    if not stamps and duration is None and rate is None:
        return []
    points: list[Anchor] = [(0, 0.0)]  # a transcript starts where its recording does
    for word, seconds in stamps:
        if seconds < points[-1][1]:
            continue
        if word == points[-1][0]:
            points[-1] = (word, seconds)  # the later of two stamps with no words between
        else:
            points.append((word, seconds))
    end = duration if duration is not None else _end_at_rate(points, words, rate)
    if end is not None and words > points[-1][0] and end > points[-1][1]:
        points.append((words, float(end)))
    return points


def _end_at_rate(points: Sequence[Anchor], words: int, rate: float | None) -> float | None:
    """When the last word is said, at the rate of the stamps (first to last), else at rate."""
    (w0, t0), (w1, t1) = points[0], points[-1]
    if w1 > w0 and t1 > t0:
        rate = (w1 - w0) / (t1 - t0)
    return t1 + (words - w1) / rate if rate else None


def at_word(points: Sequence[Anchor], word: float) -> float | None:
    """When the word at this position is said: linear between the anchors around it.

    Past the last anchor (no end known) the last one's time is kept: a lower bound.
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


def place(spans: Sequence[Span], timing: Timing) -> list[Moment]:
    """Each span's moment from its word position; exact only where its own stamp is kept."""
    offsets = list(accumulate((n for n, _ in spans), initial=0))
    stamps = [(offsets[i], float(t)) for i, (_, t) in enumerate(spans) if t is not None]
    points = anchors(stamps, offsets[-1], timing.duration, timing.rate)
    kept = set(points)
    moments = []
    for i, (n, stamp) in enumerate(spans):
        start, end = at_word(points, offsets[i]), at_word(points, offsets[i] + n)
        exact = stamp is not None and (offsets[i], float(stamp)) in kept
        moments.append(Moment(start, end, start is not None and not exact))
    return moments
