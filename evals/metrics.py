"""Ranking metrics over deduplicated rankings: hit@k, recall@k, MRR@10 and nDCG@10 (binary gains).

A ranking is a list of document ids, best first; relevance is a set of ids. Duplicates are
removed before scoring (the first occurrence keeps its place), so a system cannot earn recall
twice for the same document. The definitions follow trec_eval, and `tests/unit/test_metrics.py`
checks them against `ir-measures` on random rankings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

DEPTH = 10  # the cut-off of MRR and nDCG
KS = (1, 3, 5, 10)


def dedupe(ranking: Iterable[str]) -> list[str]:
    """The ranking with repeated ids dropped, first occurrences in order."""
    return list(dict.fromkeys(ranking))


def hit_at(ranking: Sequence[str], relevant: set[str], k: int) -> float:
    """1.0 when any relevant id is among the first k, else 0.0."""
    return float(any(doc in relevant for doc in ranking[:k]))


def recall_at(ranking: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant ids found among the first k."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def mrr_at(ranking: Sequence[str], relevant: set[str], k: int = DEPTH) -> float:
    """Reciprocal rank of the first relevant id within the first k, else 0."""
    return next((1 / rank for rank, doc in enumerate(ranking[:k], 1) if doc in relevant), 0.0)


def ndcg_at(ranking: Sequence[str], relevant: set[str], k: int = DEPTH) -> float:
    """Normalised discounted cumulative gain at k with binary gains."""
    dcg = sum(1 / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], 1) if doc in relevant)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def score_ranking(
    ranking: Sequence[str], relevant: set[str], ks: Sequence[int] = KS
) -> dict[str, float]:
    """Every metric for one query, over the deduplicated ranking."""
    ranked = dedupe(ranking)
    out = {f"hit@{k}": hit_at(ranked, relevant, k) for k in ks}
    out |= {f"recall@{k}": recall_at(ranked, relevant, k) for k in ks}
    out["mrr@10"] = mrr_at(ranked, relevant)
    out["ndcg@10"] = ndcg_at(ranked, relevant)
    return out


def mean_scores(per_query: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The mean of each metric over queries (queries lacking a metric are left out of it)."""
    names = dict.fromkeys(name for scores in per_query for name in scores)
    means = {}
    for name in names:
        values = [s[name] for s in per_query if name in s]
        means[name] = sum(values) / len(values)
    return means
