"""Claim verification behind one interface: (claim, passages) -> Verdict; the offline verifier.

The offline verifier needs no network and no large model. It aligns the claim with the best
window of the cited passages (embedding similarity with the project's embedder, plus the share
of the claim's content terms found there), then applies hard checks: every number, date and
name in the claim must appear in the cited text, and a negation must not appear or disappear.
It is deterministic: the same claim and passages always get the same verdict.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from talkrag.evals.support import coverage, failed_checks
from talkrag.ingest.chunk import split_sentences
from talkrag.ingest.embed import Embedder

WINDOW_WORDS, WINDOW_STRIDE, LONG_SENTENCE = 40, 20, 60  # unpunctuated captions get windows
DENSE_WEIGHT = 0.5
THRESHOLD = 0.62  # calibrated on the meta-evaluation set (evals/meta.py)
CHECK_PENALTY = 0.3  # per failed hard check, on the score
VERBATIM_WORDS = 4  # a shorter quote ("Yes, exactly.") could come from anywhere
CACHE = 20000  # embeddings kept (384 floats each): passages repeat across claims


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


def windows(passage: str) -> list[str]:
    """A passage's sentences (long unpunctuated runs cut into overlapping windows) and pairs."""
    units: list[str] = []
    for line in passage.splitlines():
        for sentence in split_sentences(line):
            tokens = sentence.split()
            if len(tokens) <= LONG_SENTENCE:
                units.append(sentence)
                continue
            for start in range(0, max(len(tokens) - WINDOW_STRIDE, 1), WINDOW_STRIDE):
                units.append(" ".join(tokens[start : start + WINDOW_WORDS]))
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(units)]
    return units + pairs


@dataclass
class OfflineVerifier:
    """Embedding similarity plus lexical support plus hard checks; no network, deterministic."""

    embedder: Embedder
    threshold: float = THRESHOLD
    name: str = "offline"
    _vectors: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    def _embed(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            for text, vector in zip(todo, self.embedder.embed(todo), strict=True):
                self._vectors[text] = vector
            while len(self._vectors) > CACHE:
                self._vectors.popitem(last=False)
        return np.stack([self._vectors[t] for t in texts])

    def warm(self, texts: Sequence[str]) -> None:
        """Embed claims and passage windows ahead, in large batches (faster than one by one)."""
        self._embed([w for t in texts for w in [t, *windows(t)]])

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict:
        """Align the claim with its best window, then score it and run the hard checks."""
        flat = _flat(claim)
        if len(flat.split()) >= VERBATIM_WORDS and any(flat in _flat(p) for p in passages):
            # A verbatim quote says what its source says: nothing to align or check (and
            # extractive answers are all quotes, so a dev-set eval embeds almost nothing).
            return Verdict(True, 1.0, flat)
        cands = [w for p in passages for w in windows(p)]
        if not cands:
            return unsupported("no cited passage")
        vectors = self._embed([claim, *cands])
        dense = vectors[1:] @ vectors[0]
        lexical = np.array([coverage(claim, c) for c in cands])
        combined = DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical
        best = int(np.argmax(combined))
        failed = failed_checks(claim, cands[best], "\n".join(passages))
        score = float(combined[best]) - CHECK_PENALTY * len(failed)
        return Verdict(
            score >= self.threshold and not failed, round(score, 4), cands[best], tuple(failed)
        )
