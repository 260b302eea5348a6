"""No-LLM synthesis: the retrieved sentences that best answer the question, each cited [n]."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from talkrag.ingest.embed import Embedder
from talkrag.ingest.sentences import sentence_spans
from talkrag.rag.models import Answer, Citation, Hit
from talkrag.rag.prompts import REFUSAL

MIN_WORDS = 6  # shorter sentences ("Yeah, exactly.") carry no answer
SPAN = 3  # sentences quoted from one passage: the best one and those that continue it
MAX_SPANS = 2  # passages quoted, unless the question is about several talks
MULTI = 4  # talks quoted when it is
CONTINUE_ABOVE = 0.25  # a continuing sentence must still bear on the question
# Calibrated on the dev set. A question naming something no transcript ever mentions (a term
# absent from the whole index) needs much closer evidence: with both, 11/12 unanswerable
# questions are refused and 3/60 answerable ones (one threshold alone: 6/12 and 3/60).
# Sentence vectors pooled in their chunk's context score ~0.02 lower at the low end than
# sentences embedded alone (dev set: the same refusals at 0.47 as at 0.49), hence 0.47, not 0.50.
REFUSE_BELOW = 0.47
REFUSE_UNKNOWN_TERMS = 0.70
WITHIN_BEST = 0.12  # a second span must score within this of the best one
WITHIN_BEST_MULTI = 0.2  # the talks of a question about several talks, within this
LEXICAL_WEIGHT = 0.25
# Choosing spans, a sentence of the first-ranked hit gains this over one of the last: the
# retriever ranked whole passages, and an answer is seldom one sentence of an off-topic one
# (tune half: quoting gold 0.611 -> 0.667, citing gold 0.855 -> 0.891; 0.05-0.3 all help).
RANK_WEIGHT = 0.1
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    (
        "a an and are as at be by did do does for from how i in is it of on or say said that the "
        "their them they this to was were what when where which who why will with you your "
        "about people talk talks speaker speakers"
    ).split()
)
MIN_TERM = 3
# Greetings and signposts: said in every talk, the answer to nothing.
_FILLER = re.compile(
    r"\b(hi|hello|hey) (everyone|everybody|all|folks)\b|\bthank(s| you)\b|\bmy name is\b|"
    r"\b(today|in this talk),? (i|we)('m| am| are)? ?(going to|want to|wanna|will) (talk|tell|"
    r"share|show|cover)|\blet'?s (get started|dive in|jump in)\b|\bwelcome (to|back|everyone)\b",
    re.IGNORECASE,
)
# A question that asks for a quantity is answered only by a sentence that says one.
_ASKS_NUMBER = re.compile(
    r"\bhow (much|many|long|fast|big|large|often|far)\b|\bwhat (percentage|percent|share|"
    r"fraction|number|fee|price|rate|frame rate)\b|\b(price|priced|prices|pricing|fee|fees|"
    r"revenue|funding|subscribers)\b|\bcosts? (per|a|an|each)\b|(?<!in )\bcharges?\b(?! of)",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|"
    r"trillion|half|double|twice|triple|percent|dozen|free)\b",
    re.IGNORECASE,
)
_MARKER = re.compile(r"\[\d+\]")
_MULTI = re.compile(
    r"\b(which|what|how many) (speakers|talks|companies|people|guests|teams)\b|\bboth\b|"
    r"\bcompar(e|ed|ing)\b|\bdiffer\b|\bacross (the )?(talks|conference)\b|\bwho else\b|"
    r"\bseveral (talks|speakers)\b|\bdifferent (talks|speakers)\b",
    re.IGNORECASE,
)
Known = Mapping[str, np.ndarray]  # sentence text -> its vector, stored at ingest


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a hit, who said it, and where it sits."""

    text: str
    speaker: str | None
    hit: int  # index into the hits
    order: int = 0  # its place among the hit's sentences
    at: int = field(default=0, compare=False)  # where it starts in the hit's text
    to: int = field(default=0, compare=False)  # and ends


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) >= MIN_TERM}


def _said_by(wanted: str | None, speaker: str | None) -> bool:
    return wanted is None or speaker is None or wanted.lower() in speaker.lower()


def _all_sentences(hit: Hit, i: int) -> list[Sentence]:
    return [
        Sentence(hit.text[start:end], who, i, order, start, end)
        for order, (who, start, end) in enumerate(sentence_spans(hit.text, hit.speakers))
    ]


def _answers(s: Sentence) -> bool:
    """Whether a sentence can carry an answer: long enough, no question, no filler, and no
    `[n]` of its own (a transcript's text must never read as one of our citations)."""
    return (
        len(s.text.split()) >= MIN_WORDS
        and not s.text.endswith("?")
        and not _FILLER.search(s.text)
        and not _MARKER.search(s.text)
    )


def sentences(
    hits: Sequence[Hit], speaker: str | None = None, prefer: Sequence[str] = ()
) -> list[Sentence]:
    """Every sentence of the hits with who said it; with a speaker, only theirs (or unknown).

    prefer names speakers the question is about: where their turns are labelled, the other
    labelled speakers' sentences are left out, so their words are never given as the named one's.
    """
    found = [
        s
        for i, hit in enumerate(hits)
        for s in _all_sentences(hit, i)
        if _said_by(speaker, s.speaker) and _answers(s)
    ]

    def theirs(s: Sentence) -> bool:
        return s.speaker is not None and any(_said_by(p, s.speaker) for p in prefer)

    if not any(theirs(s) for s in found):
        return found
    return [s for s in found if s.speaker is None or theirs(s)]


def _scores(
    question: str,
    cands: list[Sentence],
    embedder: Embedder,
    known: Known | None,
    content: str | None = None,
) -> np.ndarray:
    """Similarity plus word overlap (with content: the question less its names); only
    sentences without a stored vector are embedded."""
    known = known or {}
    missing = list(dict.fromkeys(c.text for c in cands if c.text not in known))
    vectors = embedder.embed([question, *missing])
    lookup = {**known, **dict(zip(missing, vectors[1:], strict=True))}
    dense = np.array([float(lookup[c.text] @ vectors[0]) for c in cands])
    wanted = _terms(content if content is not None else question)
    overlap = np.array([len(wanted & _terms(c.text)) / max(len(wanted), 1) for c in cands])
    return dense + LEXICAL_WEIGHT * overlap


def _continued(
    best: Sentence,
    hits: Sequence[Hit],
    quoted: set[tuple[int, int]],
    score: Mapping[tuple[int, int], float],
) -> list[Sentence]:
    """The best sentence and the ones right after it in its passage that continue it: the same
    speaker, each still near the question (CONTINUE_ABOVE), up to SPAN sentences, stopping at
    a question or a turn to another subject (short asides are stepped over)."""
    span = [best]
    for s in _all_sentences(hits[best.hit], best.hit)[best.order + 1 :]:
        ends = len(span) == SPAN or (s.hit, s.order) in quoted
        if ends or s.text.endswith("?") or s.speaker != best.speaker:
            break
        if not _answers(s):
            continue
        if score.get((s.hit, s.order), 0.0) < CONTINUE_ABOVE:
            break
        span.append(s)
    return span


def _ranked(cands: list[Sentence], scores: np.ndarray, hits: Sequence[Hit]) -> np.ndarray:
    """Scores for choosing spans: each sentence's own, plus a prior for its hit's rank."""
    rank = np.array([1 - c.hit / max(len(hits) - 1, 1) for c in cands])
    return scores + RANK_WEIGHT * rank


def _spans(
    cands: list[Sentence], scores: np.ndarray, hits: Sequence[Hit], multi: bool
) -> list[list[Sentence]]:
    """The answer's spans, best first: one passage where it can, a second only when it scores
    near the best; with a question about several talks, one span for each of up to MULTI talks.
    Both order and nearness count the hit's rank (_ranked); continuing a span does not."""
    spans: list[list[Sentence]] = []
    score = {(c.hit, c.order): float(v) for c, v in zip(cands, scores, strict=True)}
    scores = _ranked(cands, scores, hits)
    floor = float(scores.max()) - (WITHIN_BEST_MULTI if multi else WITHIN_BEST)
    talks: set[str] = set()
    for i in np.argsort(-scores, kind="stable"):
        cand = cands[int(i)]
        if scores[i] < floor or len(spans) == (MULTI if multi else MAX_SPANS):
            break
        quoted = {(q.hit, q.order) for span in spans for q in span}
        said = {q.text for span in spans for q in span}  # the same words in another chunk
        talk = hits[cand.hit].talk_id
        if (cand.hit, cand.order) in quoted or cand.text in said or (multi and talk in talks):
            continue
        spans.append(_continued(cand, hits, quoted, score))
        talks.add(talk)
    return spans


def is_multi(question: str) -> bool:
    """Whether a question asks about several talks ("which speakers...", "both", "compare")."""
    return bool(_MULTI.search(question))


def refusal(mode: str, notice: str | None = None) -> Answer:
    """The honest answer when the talks don't cover the question."""
    return Answer(answer=REFUSAL, refused=True, citations=[], mode=mode, notice=notice)


def support(  # noqa: PLR0913  (the question, its hits, then what shapes the bar)
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    speaker: str | None = None,
    unknown_terms: bool = False,
    known: Known | None = None,
    *,
    prefer: Sequence[str] = (),
    content: str | None = None,
) -> tuple[list[Sentence], np.ndarray] | None:
    """The candidate sentences and their scores, or None when none is close enough to answer.

    prefer: the speakers the question names; content: the question less the names.
    """
    cands = sentences(hits, speaker, prefer)
    if _ASKS_NUMBER.search(content or question):
        cands = [c for c in cands if _NUMBER.search(c.text)]
    if not cands:
        return None
    scores = _scores(question, cands, embedder, known, content)
    floor = REFUSE_UNKNOWN_TERMS if unknown_terms else REFUSE_BELOW
    return (cands, scores) if float(scores.max()) >= floor else None


def extractive_answer(  # noqa: PLR0913  (support's inputs, each a value)
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    speaker: str | None = None,
    unknown_terms: bool = False,
    known: Known | None = None,
    *,
    prefer: Sequence[str] = (),
    content: str | None = None,
) -> Answer:
    """Quote the span that answers (the best sentence and those continuing it, each cited), or
    refuse when none fits.

    known maps sentence texts to vectors stored at ingest; the rest are embedded here.
    """
    found = support(
        question, hits, embedder, speaker, unknown_terms, known, prefer=prefer, content=content
    )
    if found is None:
        return refusal("extractive")
    cands, scores = found
    parts, citations = [], []
    for n, span in enumerate(_spans(cands, scores, hits, is_multi(question)), start=1):
        first = span[0]
        quote = (first.at, span[-1].to)  # the span's own moment, where the transcript timed it
        citations.append(Citation.from_hit(n, hits[first.hit], first.speaker, quote))
        parts.extend(f"{cand.text} [{n}]" for cand in span)
    return Answer(answer=" ".join(parts), refused=False, citations=citations, mode="extractive")
