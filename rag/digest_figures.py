"""How good a digest is, counted: talks represented, quotes verbatim, theme coherence, and how
its themes line up with the schedule's official tracks."""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from talkrag.ingest.parsers.repeats import unroll
from talkrag.rag.digest_models import Digest


def _flat(text: str) -> str:
    return " ".join(html.unescape(text).split())


def in_source(quote: str, source: str) -> bool:
    """Whether a quote is in a transcript file's text, word for word (spacing, line breaks and
    HTML entities aside: a caption file breaks its lines where the chunk does not; rolled
    caption lines once, as ingest reads them)."""
    said, text = _flat(quote), _flat(source)
    return said in text or said in unroll(text)


def represented(digest: Digest, talk_ids: set[str]) -> dict[str, float]:
    """The share of the talks in scope listed under some theme, and quoted by some theme."""
    listed = {t.talk_id for theme in digest.themes for t in theme.talks}
    quoted = {q.talk_id for q in digest.citations()}
    total = max(len(talk_ids), 1)
    return {"listed": len(listed & talk_ids) / total, "quoted": len(quoted & talk_ids) / total}


def verbatim(digest: Digest) -> float:
    """The share of quotes found exactly in the passage they cite."""
    quotes = digest.citations()
    exact = sum(1 for q in quotes if q.quote and q.quote in q.text)
    return exact / len(quotes) if quotes else 1.0


def coherence(digest: Digest) -> dict[str, float]:
    """Quotes nearest their own theme's centre (mean over themes), and distinct talks a theme's
    quotes come from (least and mean)."""
    scored = [t.coherence for t in digest.themes if t.coherence is not None]
    talks = [len({q.talk_id for q in t.quotes}) for t in digest.themes] or [0]
    return {
        "own_centre": sum(scored) / len(scored) if scored else 0.0,
        "talks_min": float(min(talks)),
        "talks_mean": sum(talks) / len(talks),
    }


def primary_theme(digest: Digest) -> dict[str, int]:
    """Each listed talk's theme: the one holding the largest share of its passages."""
    best: dict[str, tuple[float, int]] = {}
    for theme in digest.themes:
        for talk in theme.talks:
            if talk.share > best.get(talk.talk_id, (-1.0, 0))[0]:
                best[talk.talk_id] = (talk.share, theme.n)
    return {talk: n for talk, (_, n) in best.items()}


@dataclass(frozen=True, slots=True)
class TrackMap:
    """Themes against official tracks, over the talks that have both."""

    pairs: Counter[tuple[int, str]]  # (theme, track) -> talks
    purity: float  # share of talks whose theme's most common track is their own
    inverse_purity: float  # share of talks whose track's most common theme is their own
    nmi: float  # normalised mutual information, 0 (unrelated) to 1 (the same partition)

    def tracks_of(self, theme: int) -> list[tuple[str, int]]:
        """The tracks of a theme's talks, most first."""
        found = [(track, n) for (th, track), n in self.pairs.items() if th == theme]
        return sorted(found, key=lambda tn: (-tn[1], tn[0]))

    def themes_of(self, track: str) -> list[tuple[int, int]]:
        """The themes of a track's talks, most first."""
        found = [(th, n) for (th, tr), n in self.pairs.items() if tr == track]
        return sorted(found, key=lambda tn: (-tn[1], tn[0]))


def _entropy(counts: Counter[object], total: int) -> float:
    return -sum(n / total * math.log(n / total) for n in counts.values() if n)


def track_map(themes: Mapping[str, int], tracks: Mapping[str, str]) -> TrackMap:
    """Compare the talks' themes with their official tracks (talks with both only)."""
    both = [(themes[t], tracks[t]) for t in sorted(themes) if t in tracks]
    pairs: Counter[tuple[int, str]] = Counter(both)
    total = len(both)
    if not total:
        return TrackMap(pairs, 0.0, 0.0, 0.0)
    by_theme: Counter[object] = Counter(th for th, _ in both)
    by_track: Counter[object] = Counter(tr for _, tr in both)
    purity = sum(max(n for (th, _), n in pairs.items() if th == c) for c in by_theme) / total
    inverse = sum(max(n for (_, tr), n in pairs.items() if tr == c) for c in by_track) / total
    mutual = sum(
        n / total * math.log(n * total / (by_theme[th] * by_track[tr]))
        for (th, tr), n in pairs.items()
    )
    spread = math.sqrt(_entropy(by_theme, total) * _entropy(by_track, total))
    return TrackMap(pairs, purity, inverse, mutual / spread if spread else 0.0)
