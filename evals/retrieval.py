"""Retrieval metrics over a dataset: hit@k, passage@k and MRR, file- and passage-level."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from talkrag.evals.dataset import Question
from talkrag.rag.models import Hit

SHINGLE = 4  # words per shingle when matching an evidence passage inside a chunk
PASSAGE_SHARE = 0.5  # a chunk holds the passage when it has half of the passage's shingles
MRR_DEPTH = 10


def words(text: str) -> list[str]:
    """The text's words, lower case, punctuation and markup dropped."""
    return re.findall(r"[a-z0-9']+", text.lower())


def shingles(text: str, size: int = SHINGLE) -> set[tuple[str, ...]]:
    """The passage's runs of `size` words, robust to chunk boundaries and markup."""
    said = words(text)
    return {tuple(said[i : i + size]) for i in range(max(len(said) - size + 1, 1))}


def holds_passage(chunk_text: str, passage: set[tuple[str, ...]]) -> bool:
    """Whether a chunk holds the evidence passage (at least PASSAGE_SHARE of its shingles)."""
    return len(passage & shingles(chunk_text)) >= PASSAGE_SHARE * len(passage)


@dataclass(frozen=True, slots=True)
class Ranked:
    """Where, if anywhere, the gold file and the gold passage appear in one question's hits."""

    file_rank: int | None
    passage_rank: int | None


def rank_of(question: Question, hits: Sequence[Hit], corpus: Path) -> Ranked:
    """The 1-based ranks of the first gold-file hit and the first gold-passage hit."""
    gold = set(question.sources)
    passages = [shingles(ev.text(corpus)) for ev in question.evidence]
    file_rank = next((h.rank for h in hits if Path(h.source).name in gold), None)
    passage_rank = next(
        (h.rank for h in hits if any(holds_passage(h.text, p) for p in passages)), None
    )
    return Ranked(file_rank, passage_rank)


def summarize(ranks: Sequence[Ranked], ks: Sequence[int] = (1, 3, 5, 10)) -> dict[str, float]:
    """hit@k and passage@k for each k, and MRR@10 for files and passages."""
    n = max(len(ranks), 1)
    out: dict[str, float] = {}
    for k in ks:
        out[f"hit@{k}"] = sum(r.file_rank is not None and r.file_rank <= k for r in ranks) / n
        out[f"passage@{k}"] = (
            sum(r.passage_rank is not None and r.passage_rank <= k for r in ranks) / n
        )
    out["mrr@10"] = (
        sum(1 / r.file_rank for r in ranks if r.file_rank and r.file_rank <= MRR_DEPTH) / n
    )
    out["passage_mrr@10"] = (
        sum(1 / r.passage_rank for r in ranks if r.passage_rank and r.passage_rank <= MRR_DEPTH) / n
    )
    return {k: round(v, 3) for k, v in out.items()}
