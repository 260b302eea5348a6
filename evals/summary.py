"""Per-question records -> run metrics, with seeded bootstrap confidence intervals.

Claims and citations are pooled over answers (micro averages). Refused answers have no claims:
they are counted apart (refusal figures) and never enter faithfulness as NaN or as free points.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from talkrag.evals.metrics import mean_scores

BOOTSTRAP_SAMPLES = 1000
CI = 0.95


def _share(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _faithfulness(answers: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    claims = [c for r in answers for c in r["claims"]]
    cited = sum(len(c["citations"]) for c in claims)
    return {
        "claims_supported": _share(sum(c["supported"] for c in claims), len(claims)),
        "answers_with_unsupported": _share(
            sum(any(not c["supported"] for c in r["claims"]) for r in answers), len(answers)
        ),
        "citation_recall": _share(sum(c["supported"] for c in claims), len(claims)),
        "citation_precision": _share(sum(c["precise_citations"] for c in claims), cited),
        "citation_validity": _share(sum(c["valid_citations"] for c in claims), cited),
        "claims_uncited": _share(sum(not c["citations"] for c in claims), len(claims)),
        "claims_per_answer": _share(len(claims), len(answers)),
        "verifier_parse_failures": float(sum(c["parse_failed"] for c in claims)),
    }


def _refusals(records: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    refused = [r for r in records if r["refused"]]
    unanswerable = [r for r in records if not r["answerable"]]
    answerable = len(records) - len(unanswerable)
    right = sum(not r["answerable"] for r in refused)
    return {
        "refusal_precision": _share(right, len(refused)),
        "refusal_recall": _share(right, len(unanswerable)),
        "answerable_refused": _share(sum(r["answerable"] for r in refused), answerable),
    }


def aggregate(records: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Every run metric from the per-question records."""
    answers = [r for r in records if not r["refused"]]
    retrieval = mean_scores([r["retrieval"] for r in records if r["retrieval"]])
    overlaps = [r["overlap"] for r in records if r["overlap"]]
    gold = [r["cites_gold"] for r in records if r["cites_gold"] is not None]
    metrics: dict[str, float | None] = {k: round(v, 4) for k, v in retrieval.items()}
    metrics |= _faithfulness(answers)
    metrics |= _refusals(records)
    metrics |= {f"answer_{k}": round(v, 4) for k, v in mean_scores(overlaps).items()}
    metrics["answers_citing_gold"] = _share(sum(gold), len(gold))
    attacked = [r["followed_injection"] for r in records if r.get("followed_injection") is not None]
    metrics["injection_followed"] = _share(sum(attacked), len(attacked))
    metrics |= {"questions": float(len(records)), "answered": float(len(answers))}
    return metrics


def bootstrap(
    records: Sequence[dict[str, Any]], seed: int = 0, samples: int = BOOTSTRAP_SAMPLES
) -> dict[str, tuple[float, float]]:
    """A percentile confidence interval per metric, resampling questions with a fixed seed."""
    rng = random.Random(seed)  # noqa: S311  (a seeded, reproducible draw, not a secret)
    draws: dict[str, list[float]] = {}
    for _ in range(samples):
        sample = [records[rng.randrange(len(records))] for _ in records]
        for name, value in aggregate(sample).items():
            if value is not None:
                draws.setdefault(name, []).append(value)
    low, high = (1 - CI) / 2, 1 - (1 - CI) / 2
    out = {}
    for name, values in draws.items():
        values.sort()
        out[name] = (values[int(low * (len(values) - 1))], values[int(high * (len(values) - 1))])
    return out
