"""The development set's retrieval and answer figures on an index of the real corpus.

python -m bench.devset --db DIR   (build DIR first: `make bench-index`, about 15 min on 2 cores)

Each question is asked once; the figures are then given for the whole set, each half (tune,
heldout) and the questions that name a speaker beside the others, as a table and as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from talkrag.evals.dataset import HALVES, Question, load_dataset
from talkrag.evals.report import side_by_side
from talkrag.evals.retrieval import rank_of, summarize
from talkrag.evals.scoring import quotes_gold
from talkrag.evals.summary import groups
from talkrag.rag.answer import answer
from talkrag.rag.retrieve import open_retriever
from talkrag.rag.settings import RagSettings

from bench import CORPUS, REPO

DATASET = REPO / "evals" / "datasets" / "dev.jsonl"
# The rows of the printed table (the JSON holds every figure).
TABLE = (
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr@10",
    "passage@5",
    "answers_citing_gold_talk",
    "answers_quoting_gold",
    "answerable_refused",
    "unanswerable_refused",
    "near_miss_refused",
    "questions",
    "answerable",
    "unanswerable",
    "near_miss",
)


def main() -> None:
    """Run every question through retrieval and the extractive answer; print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.devset", description=__doc__)
    parser.add_argument("--db", type=Path, default=REPO / ".bench" / "corpus-db")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--split", choices=HALVES, help="only this half of the questions")
    parser.add_argument("--json", action="store_true", help="print the JSON only, no table")
    parser.add_argument("--verbose", action="store_true", help="print each miss")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"skipped: corpus not found at {args.corpus}")
        sys.exit(0)
    settings = RagSettings(db=args.db)
    retriever = open_retriever(settings)
    questions = load_dataset(args.dataset, args.split)
    rows = [_row(q, retriever, settings, args.corpus, args.verbose) for q in questions]
    result = report(rows)
    if not args.json:
        print(side_by_side(columns(result), TABLE), end="\n\n")
    print(json.dumps(result, indent=2))


def _row(
    q: Question, retriever: Any, settings: RagSettings, corpus: Path, verbose: bool
) -> dict[str, Any]:
    """One question's outcome: its ranks (answerable), refusal, gold citation and quote."""
    row: dict[str, Any] = {
        "id": q.id,
        "split": q.split,
        "category": q.category,
        "named": q.named,
        "answerable": q.answerable,
    }
    if q.answerable:
        began = time.perf_counter()
        hits = retriever.search(q.question, 10)
        row["search_ms"] = (time.perf_counter() - began) * 1000
        row["rank"] = rank = rank_of(q, hits, corpus)
        if verbose and (rank.file_rank or 99) > 5:
            print(f"miss {q.id} file@{rank.file_rank} passage@{rank.passage_rank}: {q.question}")
    result = answer(q.question, retriever, settings)
    row["refused"] = result.refused
    spans: list[str] = []
    if q.answerable:
        row["cites_gold"] = any(Path(c.source).name in q.sources for c in result.citations)
        spans = [ev.text(corpus) for ev in q.evidence]
        answered = bool(spans) and not result.refused
        row["quotes_gold"] = quotes_gold(result, spans) if answered else None
    if verbose:
        _explain(q, row, result.answer, spans)
    return row


def _explain(q: Question, row: dict[str, Any], said: str, spans: list[str]) -> None:
    """With --verbose: a wrong refusal, an answered unanswerable question or a missed quote."""
    if q.answerable and row["refused"]:
        print(f"refused {q.id} ({q.category}): {q.question}")
    elif not q.answerable and not row["refused"]:
        print(f"answered {q.id} ({q.category}): {q.question}\n  -> {said[:300]}")
    elif q.answerable and (not row["cites_gold"] or row["quotes_gold"] is False):
        gold = " | ".join(span[:200] for span in spans)
        print(f"off {q.id} cites_gold={row['cites_gold']}: {q.question}\n  -> {said[:300]}")
        print(f"  gold: {gold}")


def _share(num: float, den: float) -> float | None:
    return round(num / den, 3) if den else None


def figures(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The figures of one group of questions (null where the group has none to count)."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    near = [r for r in unanswerable if r["category"] == "near-miss"]
    quoted = [r["quotes_gold"] for r in answerable if r.get("quotes_gold") is not None]
    cited = sum(r["cites_gold"] for r in answerable)
    out: dict[str, Any] = summarize([r["rank"] for r in answerable]) if answerable else {}
    out |= {
        # over every answerable question: a refusal is a miss
        "answers_citing_gold_talk": _share(cited, len(answerable)),
        # over answered questions with a span: a cited sentence quotes it (scoring.quotes_span)
        "answers_quoting_gold": _share(sum(quoted), len(quoted)),
        "answerable_refused": _share(sum(r["refused"] for r in answerable), len(answerable)),
        "unanswerable_refused": _share(sum(r["refused"] for r in unanswerable), len(unanswerable)),
        "near_miss_refused": _share(sum(r["refused"] for r in near), len(near)),
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "near_miss": len(near),
    }
    return out


def report(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The whole set's figures (today's keys), then `halves` and `named` with the same figures."""
    parts = {name: figures(part) for name, part in groups(rows).items()}
    result = parts.pop("all")
    search_ms = sorted(r["search_ms"] for r in rows if "search_ms" in r)
    result["search_ms_p50"] = round(search_ms[len(search_ms) // 2], 1) if search_ms else None
    result["halves"] = {h: parts[h] for h in HALVES if h in parts}
    result["named"] = {g: parts[g] for g in ("speaker", "other") if g in parts}
    return result


def columns(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The table's columns: tune, heldout, all, speaker, other (those the run has)."""
    whole = {k: v for k, v in result.items() if k not in ("halves", "named")}
    return {**result["halves"], "all": whole, **result["named"]}


if __name__ == "__main__":
    main()
