"""Warm hybrid search on a built index, in a fresh process: latency, its parts, memory.

python -m bench.scale_search DB [--queries 200]   (prints one JSON line; bench.scale runs it)
A fresh process, so the peak RSS is what a process serving searches on this index needs.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from talkrag.evals.dataset import load_dataset
from talkrag.rag.retrieve import FETCH, Retriever, open_retriever
from talkrag.rag.settings import RagSettings

from bench.synth_index import peak_rss_mib

DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "dev.jsonl"


def questions(n: int) -> list[str]:
    """n realistic questions: the dev set's, repeated in order (no layer caches answers)."""
    pool = [q.question for q in load_dataset(DATASET)]
    return [pool[i % len(pool)] for i in range(n)]


def pct(values: list[float], share: float) -> float:
    """The share-quantile of values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def _ms(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def parts(retriever: Retriever, asked: list[str]) -> dict[str, float]:
    """p50 of each part of a search on its own: query embedding, Chroma's top 40 (ids only,
    as search asks), BM25's top 40."""
    embed, dense, bm25 = [], [], []
    for q in asked:
        began = time.perf_counter()
        vector = retriever.embedder.embed([q])[0]
        embed.append((time.perf_counter() - began) * 1000)
        dense.append(_ms(lambda v=vector: retriever.store.nearest_ids(v, FETCH)))
        bm25.append(_ms(lambda q=q: retriever.lexical.search(q, FETCH)))
    return {
        "embed_p50_ms": pct(embed, 0.5),
        "chroma_p50_ms": pct(dense, 0.5),
        "bm25_p50_ms": pct(bm25, 0.5),
    }


def measure(db: Path, n: int) -> dict[str, float]:
    """Open the index with the real open_retriever, then time n warm searches (k=5)."""
    began = time.perf_counter()
    retriever = open_retriever(RagSettings(db=db))
    open_s = time.perf_counter() - began
    asked = questions(n)
    hits = retriever.search(asked[0], 5)  # the model loads on first use: not query time
    total = [_ms(lambda q=q: retriever.search(q, 5)) for q in asked]
    return {
        "open_s": open_s,  # Chroma open + BM25 rows and matrix read from disk
        "hits": len(hits),
        "search_p50_ms": pct(total, 0.5),
        "search_p95_ms": pct(total, 0.95),
        **parts(retriever, asked),
        "peak_rss_mib": peak_rss_mib(),
    }


def main() -> None:
    """Print the figures as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale_search", description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(measure(args.db, args.queries)), flush=True)


if __name__ == "__main__":
    main()
