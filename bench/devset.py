"""The development set's retrieval and answer figures on an index of the real corpus.

python -m bench.devset --db DIR   (build DIR first: `make bench-index`, about 15 min on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from talkrag.evals.dataset import load_dataset
from talkrag.evals.retrieval import rank_of, summarize
from talkrag.rag.answer import answer
from talkrag.rag.retrieve import open_retriever
from talkrag.rag.settings import RagSettings

from bench import CORPUS, REPO

DATASET = REPO / "evals" / "datasets" / "dev.jsonl"


def main() -> None:
    """Run every question through retrieval and the extractive answer; print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.devset", description=__doc__)
    parser.add_argument("--db", type=Path, default=REPO / ".bench" / "corpus-db")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--verbose", action="store_true", help="print each miss")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"skipped: corpus not found at {args.corpus}")
        sys.exit(0)
    settings = RagSettings(db=args.db)
    retriever = open_retriever(settings)
    questions = load_dataset(args.dataset)
    answerable = [q for q in questions if q.answerable]
    ranks, search_ms = [], []
    for q in answerable:
        began = time.perf_counter()
        hits = retriever.search(q.question, 10)
        search_ms.append((time.perf_counter() - began) * 1000)
        ranks.append(rank_of(q, hits, args.corpus))
        if args.verbose and (ranks[-1].file_rank or 99) > 5:
            print(
                f"miss {q.id} file@{ranks[-1].file_rank} passage@{ranks[-1].passage_rank}: "
                f"{q.question}"
            )
    figures = summarize(ranks)
    figures.update(_answers(questions, retriever, settings))
    search_ms.sort()
    figures["search_ms_p50"] = round(search_ms[len(search_ms) // 2], 1)
    figures["questions"] = len(questions)
    print(json.dumps(figures, indent=2))


def _answers(questions, retriever, settings) -> dict[str, float]:
    """Share of answers citing a gold talk, and refusals on unanswerable questions."""
    cited_gold = answered = refused_unanswerable = false_refusals = 0
    unanswerable = [q for q in questions if not q.answerable]
    for q in questions:
        result = answer(q.question, retriever, settings)
        if not q.answerable:
            refused_unanswerable += result.refused
            continue
        false_refusals += result.refused
        answered += not result.refused
        cited_gold += any(Path(c.source).name in q.sources for c in result.citations)
    n = len(questions) - len(unanswerable)
    return {
        "answers_citing_gold_talk": round(cited_gold / max(n, 1), 3),
        "answerable_refused": round(false_refusals / max(n, 1), 3),
        "unanswerable_refused": round(refused_unanswerable / max(len(unanswerable), 1), 3),
    }


if __name__ == "__main__":
    main()
