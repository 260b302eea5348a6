"""No-LLM synthesis: the retrieved sentences that best answer the question, each cited [n]."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from talkrag.ingest.embed import Embedder
from talkrag.ingest.sentences import sentence_spans
from talkrag.rag.models import Answer, Citation, Hit
from talkrag.rag.prompts import REFUSAL

MIN_WORDS = 6  # shorter sentences ("Yeah, exactly.") carry no answer
MAX_SENTENCES = 3
PER_HIT = 2
# Calibrated on the dev set. A question naming something no transcript ever mentions (a term
# absent from the whole index) needs much closer evidence: with both, 11/12 unanswerable
# questions are refused and 3/60 answerable ones (one threshold alone: 6/12 and 3/60).
# Sentence vectors pooled in their chunk's context score ~0.02 lower at the low end than
# sentences embedded alone (dev set: the same refusals at 0.47 as at 0.49), hence 0.47, not 0.50.
REFUSE_BELOW = 0.47
REFUSE_UNKNOWN_TERMS = 0.70
WITHIN_BEST = 0.12  # later sentences must score within this of the best one
LEXICAL_WEIGHT = 0.25
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    (
        "a an and are as at be by did do does for from how i in is it of on or say said that the "
        "their them they this to was were what when where which who why will with you your "
        "about people talk talks speaker speakers"
    ).split()
)
MIN_TERM = 3
Known = Mapping[str, np.ndarray]  # sentence text -> its vector, stored at ingest


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a hit, who said it, and where it sits."""

    text: str
    speaker: str | None
    hit: int  # index into the hits


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) >= MIN_TERM}


def _said_by(wanted: str | None, speaker: str | None) -> bool:
    return wanted is None or speaker is None or wanted.lower() in speaker.lower()


def sentences(hits: Sequence[Hit], speaker: str | None = None) -> list[Sentence]:
    """Every sentence of the hits with who said it; with a speaker, only theirs (or unknown)."""
    return [
        Sentence(text, who, i)
        for i, hit in enumerate(hits)
        for who, start, end in sentence_spans(hit.text, hit.speakers)
        if _said_by(speaker, who)
        for text in (hit.text[start:end],)
        if len(text.split()) >= MIN_WORDS and not text.endswith("?")
    ]


def _scores(
    question: str, cands: list[Sentence], embedder: Embedder, known: Known | None
) -> np.ndarray:
    """Similarity plus word overlap; only sentences without a stored vector are embedded."""
    known = known or {}
    missing = list(dict.fromkeys(c.text for c in cands if c.text not in known))
    vectors = embedder.embed([question, *missing])
    lookup = {**known, **dict(zip(missing, vectors[1:], strict=True))}
    dense = np.array([float(lookup[c.text] @ vectors[0]) for c in cands])
    wanted = _terms(question)
    overlap = np.array([len(wanted & _terms(c.text)) / max(len(wanted), 1) for c in cands])
    return dense + LEXICAL_WEIGHT * overlap


def _pick(cands: list[Sentence], scores: np.ndarray) -> list[int]:
    picked: list[int] = []
    per_hit: dict[int, int] = {}
    floor = float(scores.max()) - WITHIN_BEST
    for i in np.argsort(-scores, kind="stable"):
        if scores[i] < floor:
            break
        hit = cands[i].hit
        if per_hit.get(hit, 0) < PER_HIT and cands[i].text not in {cands[j].text for j in picked}:
            picked.append(int(i))
            per_hit[hit] = per_hit.get(hit, 0) + 1
        if len(picked) == MAX_SENTENCES:
            break
    return picked


def refusal(mode: str, notice: str | None = None) -> Answer:
    """The honest answer when the talks don't cover the question."""
    return Answer(answer=REFUSAL, refused=True, citations=[], mode=mode, notice=notice)


def support(
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    speaker: str | None = None,
    unknown_terms: bool = False,
    known: Known | None = None,
) -> tuple[list[Sentence], np.ndarray] | None:
    """The candidate sentences and their scores, or None when none is close enough to answer."""
    cands = sentences(hits, speaker)
    if not cands:
        return None
    scores = _scores(question, cands, embedder, known)
    floor = REFUSE_UNKNOWN_TERMS if unknown_terms else REFUSE_BELOW
    return (cands, scores) if float(scores.max()) >= floor else None


def extractive_answer(
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    speaker: str | None = None,
    unknown_terms: bool = False,
    known: Known | None = None,
) -> Answer:
    """Compose an answer from verbatim sentences of the hits, or refuse when none fits.

    known maps sentence texts to vectors stored at ingest; the rest are embedded here.
    """
    found = support(question, hits, embedder, speaker, unknown_terms, known)
    if found is None:
        return refusal("extractive")
    cands, scores = found
    numbers: dict[tuple[int, str | None], int] = {}
    parts, citations = [], []
    for i in _pick(cands, scores):
        cand = cands[i]
        key = (cand.hit, cand.speaker)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(Citation.from_hit(numbers[key], hits[cand.hit], cand.speaker))
        parts.append(f"{cand.text} [{numbers[key]}]")
    return Answer(answer=" ".join(parts), refused=False, citations=citations, mode="extractive")
