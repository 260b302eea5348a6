"""Query-side figures on a built index: warm search and answer latency, and a cold `talkrag ask`."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from talkrag.evals.dataset import load_dataset
from talkrag.rag.answer import answer
from talkrag.rag.retrieve import open_retriever
from talkrag.rag.settings import RagSettings

DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "dev.jsonl"
COLD = "What is the first trap when people evaluate retrieval?"


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def warm(db: Path, rounds: int = 2) -> dict[str, float]:
    """p50/p95 of search and p50 of the extractive answer, in process, after one warm-up."""
    settings = RagSettings(db=db)
    retriever = open_retriever(settings)
    questions = [q.question for q in load_dataset(DATASET)]
    retriever.search(questions[0], 5)  # model and BM25 load are not query time
    search_ms: list[float] = []
    for _ in range(rounds):
        for q in questions:
            began = time.perf_counter()
            retriever.search(q, 5)
            search_ms.append((time.perf_counter() - began) * 1000)
    answer_ms = []
    for q in questions:
        began = time.perf_counter()
        answer(q, retriever, settings)
        answer_ms.append((time.perf_counter() - began) * 1000)
    return {
        "search_p50_ms": _pct(search_ms, 0.5),
        "search_p95_ms": _pct(search_ms, 0.95),
        "answer_p50_ms": _pct(answer_ms, 0.5),
    }


def cold(db: Path, runs: int = 3) -> tuple[float, float]:
    """Median seconds of `talkrag ask` from a new process to printed answer, and its peak RSS."""
    command = [sys.executable, "-m", "talkrag", "ask", COLD, "--db", str(db)]
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds.append(time.perf_counter() - began)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return statistics.median(seconds), rss
