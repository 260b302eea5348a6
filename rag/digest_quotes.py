"""A theme's quotes: from its talks' passages nearest its centre, the one sentence per talk
that best says the theme (stored sentence vectors plus its terms), verbatim and cited."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from talkrag.ingest.embed import Embedder
from talkrag.rag.extractive import Sentence, sentences
from talkrag.rag.models import Citation, Hit
from talkrag.rag.retrieve import stored_hit
from talkrag.rag.rows import Rows
from talkrag.rag.theme_terms import stems_of
from talkrag.rag.themes import Space

QUOTES = 6  # quotes per theme, each from a different talk
MIN_QUOTES = 3
CHUNKS_PER_TALK = 2  # a talk's passages read for quotes: those nearest the theme's centre
MIN_WORDS, MAX_WORDS = 10, 45  # long enough to say something, short enough to read in a recap
TERM_WEIGHT = 0.2  # the theme's own words, beside closeness to its centre
SHARE_WEIGHT = 0.2  # and how much of its talk is in the theme (a talk at its heart first)
TERMS_READ = 6
DISFLUENCY = 0.04  # off the score for each "uh", "um" or "you know", and for a dangling start
FRESH_TRIGRAMS = 0.8  # a caption loop repeats itself ("feeds in, feeds in, feeds in")
SAID_WORDS = 30  # a quote this short may stand in the one-line "what was said"
SAID_QUOTES = 3


_DISFLUENT = re.compile(
    r"\b(uh|um|uhm|erm|you know)\b|^(and|but|so|because|or|then|like)\b", re.IGNORECASE
)
# A speaker introducing themself says nothing about the theme.
_INTRO = re.compile(
    r"\b(my (background|name)|i('ve| have) (spent|been working)|i work (at|on|for|with)|"
    r"i('m| am) (the |a |an )?(co-?founder|ceo|cto|founder|head|engineer)|welcome to|"
    r"outside of (the )?work|i('m| am) (a|an) \w+ (at|engineer|developer|researcher))\b",
    re.IGNORECASE,
)


def plain(text: str) -> str:
    """Lowercase words only: the same sentence said in two recordings is one quote."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def _fluent(text: str) -> bool:
    """Not a caption loop: most of its word triples are said once."""
    words = plain(text).split()
    triples = list(zip(words, words[1:], words[2:], strict=False))
    return not triples or len(set(triples)) >= FRESH_TRIGRAMS * len(triples)


@dataclass(frozen=True, slots=True)
class Scoring:
    """What scores a theme's sentences besides their vectors."""

    stemmer: object  # BM25's, so the theme's stems are matched as BM25 made them
    embedder: Embedder  # for a sentence ingest stored no vector for
    shares: dict[str, float]  # each talk's share of its passages in the theme


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
    return stored_hit(1, rows.chunk(row), rows.metas[row], score)


def _quotable(s: Sentence) -> bool:
    """Long enough to say something, short enough for a recap, fluent, and no introduction."""
    words = len(s.text.split())
    return MIN_WORDS <= words <= MAX_WORDS and _fluent(s.text) and not _INTRO.search(s.text)


def _vectors(
    found: list[tuple[Hit, Sentence]], space: Space, embedder: Embedder
) -> list[np.ndarray]:
    """Each sentence's stored vector; those ingest did not store are embedded here."""
    known: dict[str, np.ndarray] = {}
    hits = {hit.chunk_id: hit for hit, _ in found}
    stored = space.sentences.get(list(hits)) if space.sentences is not None else {}
    for chunk_id, vectors in stored.items():
        known.update(vectors.by_text(hits[chunk_id].text))
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
    scoring: Scoring,
) -> list[Candidate]:
    """The best sentence of each talk among the theme's passages (positions in space), best
    first: closeness to the centre, plus the share of the theme's first terms it says and the
    share of its talk in the theme, less its disfluencies."""
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
    for (hit, s), vector in zip(found, _vectors(found, space, scoring.embedder), strict=True):
        said = len(wanted & stems_of(s.text, scoring.stemmer)) / max(len(wanted), 1)
        heart = SHARE_WEIGHT * scoring.shares.get(hit.talk_id, 0.0)
        halting = DISFLUENCY * len(_DISFLUENT.findall(s.text))
        score = float(vector @ centre) + TERM_WEIGHT * said + heart - halting
        cand = Candidate(score, hit, s, vector)
        if hit.talk_id not in best or cand.score > best[hit.talk_id].score:
            best[hit.talk_id] = cand
    return sorted(best.values(), key=lambda c: (-c.score, c.talk_id, c.sentence.at))


def choose(
    cands: Sequence[Candidate], quoted: set[str], said: set[str], most: int = QUOTES
) -> list[Candidate]:
    """Up to `most` quotes from different talks, best first, never words already quoted (a
    talk recorded twice), talks not quoted by an earlier theme preferred while at least
    MIN_QUOTES can still be found."""
    seen, unique = set(said), []
    for c in sorted(cands, key=lambda c: c.talk_id in quoted):  # stable: fresh talks first
        if (key := plain(c.sentence.text)) not in seen:
            seen.add(key)
            unique.append(c)
    fresh = [c for c in unique if c.talk_id not in quoted]
    if len(fresh) >= MIN_QUOTES:
        return fresh[:most]
    again = [c for c in unique if c.talk_id in quoted]
    return sorted(fresh + again[: max(MIN_QUOTES - len(fresh), 0)], key=lambda c: -c.score)[:most]


def what_was_said(quotes: Sequence[Citation]) -> str:
    """One line made only of quotes: the first short ones, each with its number."""
    short = [q for q in quotes if q.quote and len(q.quote.split()) <= SAID_WORDS][:SAID_QUOTES]
    if not short and quotes:
        short = [min(quotes, key=lambda q: (len(q.quote or q.text), q.n))]
    return " … ".join(f"“{q.quote or q.text}” [{q.n}]" for q in short)
