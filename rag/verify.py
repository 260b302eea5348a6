"""Claim verification behind one interface: (claim, passages) -> Verdict; the offline verifier.

The offline verifier needs no network and no large model. It scores the claim, and each half
of a claim that joins two ("X, and Y"), against its best-aligned span of one to SPAN
consecutive sentences of the cited passages (embedding similarity) plus the share of its
content terms the cited text holds; the claim's score is its weakest half's, so one invented
half sinks the whole. Hard checks follow: every number, date and name in the claim must appear
in the cited text, a negation must not appear or disappear, and a claim must not bring in
much that the text never says. It is deterministic: the same claim and passages always get
the same verdict. Sentence vectors stored at ingest can be handed in (`known`), so verifying
an answer embeds only its sentences; a span's vector is the unit sum of its sentences'.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from talkrag.ingest.chunk import split_sentences
from talkrag.ingest.embed import Embedder
from talkrag.rag.support import coverage, failed_checks

WINDOW_WORDS, WINDOW_STRIDE, LONG_SENTENCE = 40, 20, 60  # unpunctuated captions get windows
SPAN = 3  # sentences one span may join: an answer often sums up two or three
DENSE_WEIGHT = 0.6
THRESHOLD = 0.45  # calibrated on the tune half of the meta-evaluation set (evals/meta.py)
CHECK_PENALTY = 0.3  # per failed hard check, on the score
VERBATIM_WORDS = 4  # a shorter quote ("Yes, exactly.") could come from anywhere
MIN_HALF = 4  # words each half needs before a claim is judged half by half
CACHE = 20000  # embeddings kept (384 floats each): passages repeat across claims
_LABEL = re.compile(r"^[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}: ")  # a turn's "Ann Lee: "
_JOIN = re.compile(r"\s*(?:;|,\s+(?:and|but|while|whereas|so)\s+|\s+(?:while|whereas)\s+)\s*")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the passages support a claim, how strongly, and the text the verdict rests on."""

    supported: bool
    score: float  # higher is more supported; comparable within one verifier only
    evidence: str | None  # the sentence or window the verdict rests on
    checks: tuple[str, ...] = ()  # hard checks that failed, or why no verdict could be given
    parse_failed: bool = False  # an LLM judge's answer that could not be read as a verdict


class Verifier(Protocol):
    """Decides, claim by claim, whether cited passages support it."""

    name: str

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict:
        """The verdict on one claim against the passages it cites."""
        ...


def _flat(text: str) -> str:
    return " ".join(text.split())


def unsupported(reason: str) -> Verdict:
    """The verdict on a claim that cites nothing usable."""
    return Verdict(False, 0.0, None, (reason,))


def units(passage: str) -> list[str]:
    """A passage's sentences (less turn labels, as ingest stores their vectors), long
    unpunctuated runs cut into overlapping windows."""
    out: list[str] = []
    for line in passage.splitlines():
        for sentence in split_sentences(_LABEL.sub("", line)):
            tokens = sentence.split()
            if len(tokens) <= LONG_SENTENCE:
                out.append(sentence)
                continue
            for start in range(0, max(len(tokens) - WINDOW_STRIDE, 1), WINDOW_STRIDE):
                out.append(" ".join(tokens[start : start + WINDOW_WORDS]))
    return out


def halves(claim: str) -> list[str]:
    """The claim, and its parts when it joins clauses that each say something."""
    parts = [p for p in _JOIN.split(claim) if p.strip()]
    if len(parts) < 2 or min(len(p.split()) for p in parts) < MIN_HALF:  # noqa: PLR2004
        return [claim]
    return [claim, *parts]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


@dataclass
class OfflineVerifier:
    """Embedding similarity plus lexical support plus hard checks; no network, deterministic."""

    embedder: Embedder
    threshold: float = THRESHOLD
    name: str = "offline"
    known: Mapping[str, np.ndarray] | None = field(default=None, repr=False)
    _vectors: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    def __post_init__(self) -> None:
        for text, vector in (self.known or {}).items():
            self._vectors[text] = _unit(np.asarray(vector, dtype=np.float32))

    def _embed(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            for text, vector in zip(todo, self.embedder.embed(todo), strict=True):
                self._vectors[text] = vector
            while len(self._vectors) > CACHE:
                self._vectors.popitem(last=False)
        return np.stack([self._vectors[t] for t in texts])

    def warm(self, texts: Sequence[str]) -> None:
        """Embed claims and passage sentences ahead, in large batches (faster than one by one)."""
        self._embed([w for t in texts for w in [t, *halves(t), *units(t)]])

    def _spans(self, passages: Sequence[str]) -> tuple[list[str], np.ndarray, int]:
        """Every run of 1..SPAN consecutive sentences of the passages, with its vector, single
        sentences first (the count of those is returned too)."""
        singles: list[str] = []
        texts, own_vectors, vectors = [], [], []
        for passage in passages:
            found = units(passage)
            if not found:
                continue
            own = self._embed(found)
            singles += found
            own_vectors.append(own)
            for size in range(2, min(SPAN, len(found)) + 1):
                for i in range(len(found) - size + 1):
                    texts.append(" ".join(found[i : i + size]))
                    vectors.append(own[i : i + size].sum(axis=0, keepdims=True))
        if not singles:
            return [], np.zeros((0, 1)), 0
        return singles + texts, _unit(np.concatenate(own_vectors + vectors)), len(singles)

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict:
        """Align the claim (and each of its halves) with its best span, score, then check."""
        flat = _flat(claim)
        if len(flat.split()) >= VERBATIM_WORDS and any(flat in _flat(p) for p in passages):
            # A verbatim quote says what its source says: nothing to align or check (and
            # extractive answers are all quotes, so verifying them embeds nothing).
            return Verdict(True, 1.0, flat)
        context = "\n".join(passages)
        if not context.strip():
            return unsupported("no cited passage")
        if early := failed_checks(claim, "", context):
            # Checks of the claim against all the cited text fail whatever it aligns with, so
            # nothing is embedded (re-citing tries every passage; most lack the claim's words).
            score = (1 - DENSE_WEIGHT) * coverage(claim, context) - CHECK_PENALTY * len(early)
            return Verdict(False, round(score, 4), None, tuple(early))
        spans, vectors, size_one = self._spans(passages)
        if not spans:
            return unsupported("no cited passage")
        parts = halves(claim)
        similarity = vectors @ self._embed(parts).T  # spans x parts
        scores = [
            DENSE_WEIGHT * float(similarity[:, j].max())
            + (1 - DENSE_WEIGHT) * coverage(part, context)
            for j, part in enumerate(parts)
        ]
        best = spans[int(np.argmax(similarity[:size_one, 0]))]
        failed = failed_checks(claim, best, context)
        score = min(scores) - CHECK_PENALTY * len(failed)
        return Verdict(score >= self.threshold and not failed, round(score, 4), best, tuple(failed))
