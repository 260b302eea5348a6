"""Per-question records -> run metrics, with seeded bootstrap confidence intervals.

Claims and citations are pooled over answers (micro averages). Refused answers have no claims:
they are counted apart (refusal figures) and never enter faithfulness as NaN or as free points.
`grouped` gives the same figures per half of the dataset (tune, heldout) and for the questions
that name a speaker against the others.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from talkrag.evals.dataset import HALVES
from talkrag.evals.metrics import mean_scores

BOOTSTRAP_SAMPLES = 1000
CI = 0.95
COLUMNS = (*HALVES, "all", "speaker", "other")  # the groups, in the order reports show them


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
    answered = sum(r["answerable"] and not r["refused"] for r in records)
    return {
        "answerable_answered": _share(answered, answerable),
        "refusal_precision": _share(right, len(refused)),
        "refusal_recall": _share(right, len(unanswerable)),
        "answerable_refused": _share(sum(r["answerable"] for r in refused), answerable),
        "near_miss_refused": _share(
            sum(r["refused"] for r in records if r.get("category") == "near-miss"),
            sum(r.get("category") == "near-miss" for r in records),
        ),
    }


def _gold(records: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Answers that cite a gold talk, and answers with a sentence quoted from the gold span.

    `answers_citing_gold` is over answered questions, `answers_citing_gold_all` over every
    answerable one (a refusal is a miss); `answers_quoting_gold` over answered questions that
    have an evidence span (see `scoring.quotes_span` for the rule).
    """
    gold = [r["cites_gold"] for r in records if r["cites_gold"] is not None]
    quoted = [r["quotes_gold"] for r in records if r.get("quotes_gold") is not None]
    return {
        "answers_citing_gold": _share(sum(gold), len(gold)),
        "answers_citing_gold_all": _share(sum(gold), sum(r["answerable"] for r in records)),
        "answers_quoting_gold": _share(sum(quoted), len(quoted)),
    }


def aggregate(records: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Every run metric from the per-question records."""
    answers = [r for r in records if not r["refused"]]
    retrieval = mean_scores([r["retrieval"] for r in records if r["retrieval"]])
    overlaps = [r["overlap"] for r in records if r["overlap"]]
    metrics: dict[str, float | None] = {k: round(v, 4) for k, v in retrieval.items()}
    metrics |= _faithfulness(answers)
    metrics |= _refusals(records)
    metrics |= {f"answer_{k}": round(v, 4) for k, v in mean_scores(overlaps).items()}
    metrics |= _gold(records)
    attacked = [r["followed_injection"] for r in records if r.get("followed_injection") is not None]
    metrics["injection_followed"] = _share(sum(attacked), len(attacked))
    metrics |= {"questions": float(len(records)), "answered": float(len(answers))}
    return metrics


def names_speaker(record: dict[str, Any]) -> bool:
    """Whether a record's question names a speaker or company (category `speaker`, or `named`)."""
    return record.get("category") == "speaker" or bool(record.get("named"))


def groups(records: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The records per column of COLUMNS; a half or a speaker group that holds none is left out.

    `other` is given only beside a non-empty `speaker` group, where it is not the same as `all`.
    """
    out = {half: [r for r in records if r.get("split") == half] for half in HALVES}
    out["all"] = list(records)
    out["speaker"] = [r for r in records if names_speaker(r)]
    out["other"] = [r for r in records if not names_speaker(r)] if out["speaker"] else []
    return {name: out[name] for name in COLUMNS if out[name] or name == "all"}


def grouped(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every run metric per half and per speaker group, as summary.json holds them."""
    parts = {name: aggregate(part) for name, part in groups(records).items() if name != "all"}
    return {
        "halves": {h: parts[h] for h in HALVES if h in parts},
        "named": {g: parts[g] for g in ("speaker", "other") if g in parts},
    }


def columns(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A summary's metrics per column, in COLUMNS order: the whole set and each group in it."""
    found = {"all": summary["metrics"], **summary.get("halves", {}), **summary.get("named", {})}
    return {name: found[name] for name in COLUMNS if name in found}


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
