"""A theme's quotes: from its talks' passages nearest its centre, the one sentence per talk
that best says the theme (stored sentence vectors plus its terms), verbatim and cited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from talkrag.ingest.embed import Embedder
from talkrag.rag.extractive import Sentence, sentences
from talkrag.rag.models import Citation, Hit
from talkrag.rag.retrieve import _hit  # the one builder of a Hit from a stored row
from talkrag.rag.rows import Rows
from talkrag.rag.theme_terms import stems_of
from talkrag.rag.themes import Space

QUOTES = 6  # quotes per theme, each from a different talk
MIN_QUOTES = 3
CHUNKS_PER_TALK = 2  # a talk's passages read for quotes: those nearest the theme's centre
MIN_WORDS, MAX_WORDS = 10, 45  # long enough to say something, short enough to read in a recap
TERM_WEIGHT = 0.15  # the theme's own words, beside closeness to its centre
TERMS_READ = 4
SAID_WORDS = 30  # a quote this short may stand in the one-line "what was said"
SAID_QUOTES = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that could quote a theme: how well it does, and where it was said."""

    score: float
    hit: Hit
    sentence: Sentence
    vector: np.ndarray

    @property
    def talk_id(self) -> str:
        """The talk it was said in."""
        return self.hit.talk_id

    def citation(self, n: int) -> Citation:
        """The quote as citation n: the sentence, its speaker and its own moment."""
        s = self.sentence
        return Citation.from_hit(n, self.hit, s.speaker, (s.at, s.to))


def row_hit(rows: Rows, row: int, score: float = 0.0) -> Hit:
    """The stored chunk at a row as a Hit (its marks give each sentence's moment)."""
    return _hit(1, rows.chunk(row), rows.metas[row], score)


def _quotable(s: Sentence) -> bool:
    return MIN_WORDS <= len(s.text.split()) <= MAX_WORDS


def _vectors(
    found: list[tuple[Hit, Sentence]], space: Space, rows: Rows, embedder: Embedder
) -> list[np.ndarray]:
    """Each sentence's stored vector; those ingest did not store are embedded here."""
    known: dict[str, np.ndarray] = {}
    for hit, _ in found:
        stored = space.sentences.get(rows.row_of[hit.chunk_id])
        if stored is not None:
            known.update(stored.by_text(hit.text))
    missing = list(dict.fromkeys(s.text for _, s in found if s.text not in known))
    if missing:
        known.update(zip(missing, embedder.embed(missing), strict=True))
    return [known[s.text] for _, s in found]


def candidates(
    space: Space,
    rows: Rows,
    positions: np.ndarray,
    centre: np.ndarray,
    stems: Sequence[str],
    context: tuple[object, Embedder],
) -> list[Candidate]:
    """The best sentence of each talk among the theme's passages (positions in space), best
    first: closeness to the centre plus the share of the theme's first terms it says."""
    stemmer, embedder = context
    sims = space.vectors[positions] @ centre
    by_talk: dict[str, list[int]] = {}
    for i in np.argsort(-sims, kind="stable"):
        picked = by_talk.setdefault(space.talks[int(positions[i])], [])
        if len(picked) < CHUNKS_PER_TALK:
            picked.append(int(positions[i]))
    found = [
        (hit, s)
        for chosen in by_talk.values()
        for hit in [row_hit(rows, int(space.rows[p])) for p in chosen]
        for s in sentences([hit])
        if _quotable(s)
    ]
    wanted = set(stems[:TERMS_READ])
    best: dict[str, Candidate] = {}
    for (hit, s), vector in zip(found, _vectors(found, space, rows, embedder), strict=True):
        said = len(wanted & stems_of(s.text, stemmer)) / max(len(wanted), 1)
        cand = Candidate(float(vector @ centre) + TERM_WEIGHT * said, hit, s, vector)
        if hit.talk_id not in best or cand.score > best[hit.talk_id].score:
            best[hit.talk_id] = cand
    return sorted(best.values(), key=lambda c: (-c.score, c.talk_id, c.sentence.at))


def choose(cands: Sequence[Candidate], quoted: set[str], most: int = QUOTES) -> list[Candidate]:
    """Up to `most` quotes from different talks, best first, talks not quoted by an earlier
    theme preferred while at least MIN_QUOTES can still be found."""
    fresh = [c for c in cands if c.talk_id not in quoted]
    if len(fresh) >= MIN_QUOTES:
        return fresh[:most]
    again = [c for c in cands if c.talk_id in quoted]
    return sorted(fresh + again[: max(MIN_QUOTES - len(fresh), 0)], key=lambda c: -c.score)[:most]


def what_was_said(quotes: Sequence[Citation]) -> str:
    """One line made only of quotes: the first short ones, each with its number."""
    short = [q for q in quotes if q.quote and len(q.quote.split()) <= SAID_WORDS][:SAID_QUOTES]
    if not short and quotes:
        short = [min(quotes, key=lambda q: (len(q.quote or q.text), q.n))]
    return " … ".join(f"“{q.quote or q.text}” [{q.n}]" for q in short)
