"""How far estimated moments land from the real ones: timed transcripts with their times hidden.

python -m bench.moments [--corpus DIR]

Every transcript here has real times: the caption samples (SRT, VTT, Whisper and YouTube JSON in
transcripts/ and tests/fixtures), Practical AI's `[mm:ss]` stamps and bitcointranscripts'
`HH:MM:SS` stamps. A timed point is the first word of a cue, or the words after a stamp. Each
point's time is hidden and estimated as talkrag estimates an untimed talk (ingest/moments.py):

- `duration only`: time = word position x duration / words. The duration is the last cue's end;
  prose has no known length, so its span ends at its last stamp (that point is not scored).
- `every other stamp kept`: the even points stay as stamps and the odd ones are estimated
  between them, as a transcript's stamps correct the estimate.
- `speaking rate only`: no length either: time = word position / SPEAKING_RATE (2.7 words/s),
  what a talk with a video link but no known length gets.

Last, for the AI Engineer talks whose length the channel file gives, how far the length read
at SPEAKING_RATE lands from it.

The table gives, per corpus and estimate, the median and p90 of the absolute error in seconds
and as a share of the duration. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.links import youtube_id
from talkrag.ingest.models import Transcript
from talkrag.ingest.moments import SPEAKING_RATE, Anchor, anchors, at_word
from talkrag.ingest.parsers import parse_file

from bench import CORPUS, REPO

CAPTIONS = (".srt", ".vtt", ".json")
_HMS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")
MIN_POINTS = 3  # a start, one point to score and an end
ROW = "{:<34} {:<23} {:>5} {:>6} {:>8} {:>7} {:>6} {:>6}"


@dataclass(frozen=True, slots=True)
class Timed:
    """A transcript's timed points (word position, true seconds), its words and duration."""

    points: list[Anchor]
    words: int
    duration: float


@dataclass(frozen=True, slots=True)
class Summary:
    """Median and p90 of the errors: seconds, and as a share of the duration."""

    points: int
    median_s: float
    p90_s: float
    median_share: float
    p90_share: float


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (0 < q <= 100) of values; NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


def timed_points(transcript: Transcript) -> list[Anchor]:
    """Each segment that starts at a new time: its first word's position and that time.

    Times that run backwards (typos in hand-written stamps) are passed over.
    """
    points: list[Anchor] = []
    words, previous = 0, None
    for segment in transcript.segments:
        start = segment.start
        if start is not None and start != previous and (not points or start >= points[-1][1]):
            points.append((words, float(start)))
        previous = start if start is not None else previous
        words += len(segment.text.split())
    return points


def timed(transcript: Transcript) -> Timed | None:
    """What is scored of a transcript: captions to their last end, prose to its last stamp."""
    points = timed_points(transcript)
    if len(points) < MIN_POINTS:
        return None
    if transcript.prose:
        *inside, (words, seconds) = points
        return Timed(inside, words, seconds) if seconds > 0 else None
    words = sum(len(s.text.split()) for s in transcript.segments)
    ends = [s.end or s.start or 0.0 for s in transcript.segments]
    return Timed(points, words, max(ends))


def duration_errors(talk: Timed) -> list[tuple[float, float]]:
    """(seconds, share of the duration) off, for each point estimated from the duration alone."""
    line = anchors((), talk.words, talk.duration)
    return [_error(at_word(line, w), t, talk.duration) for w, t in talk.points]


def every_other_errors(talk: Timed) -> list[tuple[float, float]]:
    """The same for the odd points, estimated between the even ones (and the end) kept."""
    line = anchors(talk.points[::2], talk.words, talk.duration)
    return [_error(at_word(line, w), t, talk.duration) for w, t in talk.points[1::2]]


def rate_errors(talk: Timed) -> list[tuple[float, float]]:
    """The same for every point read at SPEAKING_RATE, the length unknown too."""
    line = anchors((), talk.words, None, SPEAKING_RATE)
    return [_error(at_word(line, w), t, talk.duration) for w, t in talk.points]


def _error(estimate: float | None, truth: float, duration: float) -> tuple[float, float]:
    off = abs((estimate or 0.0) - truth)
    return off, off / duration


def summarise(errors: Sequence[tuple[float, float]]) -> Summary:
    """The median and p90 of errors, in seconds and as shares."""
    seconds = [s for s, _ in errors]
    shares = [f for _, f in errors]
    return Summary(
        len(errors),
        percentile(seconds, 50),
        percentile(seconds, 90),
        percentile(shares, 50),
        percentile(shares, 90),
    )


def read(paths: Iterable[Path]) -> list[Timed]:
    """The scorable transcripts among paths (files that fail to parse are passed over)."""
    found = []
    for path in paths:
        try:
            talk = timed(parse_file(path))
        except TranscriptError:
            continue
        if talk is not None:
            found.append(talk)
    return found


def corpora(corpus: Path) -> dict[str, list[Path]]:
    """The timed transcripts of each corpus, by name."""
    samples = [REPO / "transcripts", REPO / "tests" / "fixtures"]
    bitcoin = sorted((corpus / "bitcointranscripts").rglob("*.md"))
    return {
        "caption samples (SRT, VTT, JSON)": sorted(
            p for folder in samples for p in folder.iterdir() if p.suffix in CAPTIONS
        ),
        "Practical AI [mm:ss]": sorted((corpus / "practical-ai").glob("*.md")),
        "bitcointranscripts HH:MM:SS": [
            p
            for p in bitcoin
            if not p.name.startswith("_") and _HMS.search(p.read_text(errors="replace"))
        ],
    }


def length_errors(corpus: Path) -> list[float]:
    """|words / SPEAKING_RATE - length| / length for each AI Engineer talk of known length."""
    channel = corpus / "aiewf2026" / "metadata" / "aidotengineer-channel-videos-latest.json"
    if not channel.is_file():
        return []
    entries = json.loads(channel.read_text())["entries"]
    lengths = {e["id"]: float(e["duration"]) for e in entries if e.get("duration")}
    errors = []
    for path in sorted((corpus / "aiewf2026" / "transcripts").glob("*.md")):
        transcript = parse_file(path)
        video = youtube_id(transcript.talk.url or "")
        if video in lengths:
            words = sum(len(s.text.split()) for s in transcript.segments)
            errors.append(abs(words / SPEAKING_RATE - lengths[video]) / lengths[video])
    return errors


def _line(name: str, estimate: str, files: int, summary: Summary) -> str:
    return ROW.format(
        name,
        estimate,
        files,
        summary.points,
        f"{summary.median_s:.1f}",
        f"{summary.p90_s:.1f}",
        f"{summary.median_share:.1%}",
        f"{summary.p90_share:.1%}",
    )


def main() -> None:
    """Score every corpus found and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.moments", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    print(ROW.format("corpus", "estimate", "files", "points", "median s", "p90 s", "median", "p90"))
    for name, paths in corpora(args.corpus).items():
        talks = read(paths)
        if not talks:
            print(f"{name}: skipped, no timed transcripts found")
            continue
        alone = summarise([e for t in talks for e in duration_errors(t)])
        kept = summarise([e for t in talks for e in every_other_errors(t)])
        rate = summarise([e for t in talks for e in rate_errors(t)])
        print(_line(name, "duration only", len(talks), alone))
        print(_line("", "every other stamp kept", len(talks), kept))
        print(_line("", "speaking rate only", len(talks), rate))
    lengths = length_errors(args.corpus)
    if lengths:
        print(
            f"AI Engineer talks of known length ({len(lengths)}): read at {SPEAKING_RATE} words/s, "
            f"the length is off by {statistics.median(lengths):.0%} (median), "
            f"{percentile(lengths, 90):.0%} (p90)"
        )


if __name__ == "__main__":
    main()
