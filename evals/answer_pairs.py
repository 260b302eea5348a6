"""Meta-evaluation pairs from the dev set: its reference answers, true paraphrases, against their
evidence spans, and the same answers made false.

A reference answer is written in other words than the transcript and often sums up several of
its sentences, which is what an LLM's answer does; the verbatim positives of meta.py cannot
show whether a verifier accepts that. The false ones change a number, a name or a negation,
are another talk's answer, or join a true answer to an invented half (partly supported claims
are unsupported). Each pair keeps its question's half, so a verifier is tuned on `tune` and
reported on `heldout`. A seed fixes every draw.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

from talkrag.evals import perturb
from talkrag.evals.dataset import Question
from talkrag.evals.meta import Pair
from talkrag.rag.support import names

SUPPORTED_KINDS = ("reference",)
UNSUPPORTED_KINDS = (
    "ref_number",
    "ref_name",
    "ref_negation",
    "ref_other_talk",
    "partial",
)


def _usable(questions: Sequence[Question], corpus: Path) -> list[Question]:
    """Answerable questions with a reference answer and evidence the corpus holds (a corpus
    other than the dev set's, such as the shipped samples, gives none)."""
    return [
        q
        for q in questions
        if q.answerable
        and q.evidence
        and q.reference_answer
        and all((corpus / ev.file).is_file() for ev in q.evidence)
    ]


def _rewrites(
    others: list[str], pool: list[str], rng: random.Random
) -> dict[str, Callable[[str], str | None]]:
    return {
        "reference": lambda s: s,
        "ref_number": lambda s: perturb.swap_number(s, rng),
        "ref_name": lambda s: perturb.swap_name(s, pool, rng),
        "ref_negation": perturb.negate,
        "ref_other_talk": lambda _: rng.choice(others),
        "partial": lambda s: perturb.add_unsupported(s, rng.choice(others)),
    }


def dev_pairs(questions: Sequence[Question], corpus: Path, seed: int = 0) -> list[Pair]:
    """Per answerable question: its reference against its evidence, and each false rewrite of it
    that applies (no number in it, no number swap)."""
    usable = _usable(questions, corpus)
    if len({q.sources[0] for q in usable}) < 2:  # noqa: PLR2004  (other talks' answers are needed)
        return []
    rng = random.Random(seed)  # noqa: S311  (a seeded, reproducible draw, not a secret)
    pairs = []
    for q in usable:
        others = [o.reference_answer or "" for o in usable if set(o.sources).isdisjoint(q.sources)]
        pool = sorted({n.capitalize() for o in others for n in names(o)})
        evidence = "\n".join(ev.text(corpus) for ev in q.evidence)
        for kind, rewrite in _rewrites(others, pool, rng).items():
            claim = rewrite(q.reference_answer or "")
            if claim:
                supported = kind in SUPPORTED_KINDS
                pairs.append(
                    Pair(kind, claim, evidence, supported, q.sources[0], q.split or "tune")
                )
    return pairs
