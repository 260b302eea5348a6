"""Query-side figures on a built index: warm search and answer latency, what verifying an answer
adds, and a cold `talkrag ask`.

python -m bench.queries --db DIR   (the whole corpus: `make bench-index` builds .bench/corpus-db)

Verification is timed on its own, per dev question: on the extractive answer (verbatim quotes),
and on an answer written in other words, as an LLM writes, for which the question's reference
answer stands in (its last sentence citing the best passage, any other citing nothing, so
they are cited again or dropped as an LLM's would be).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from talkrag.evals.dataset import load_dataset
from talkrag.rag.answer import answer
from talkrag.rag.faithful import verify_answer
from talkrag.rag.models import Answer, Citation
from talkrag.rag.retrieve import Retriever, open_retriever
from talkrag.rag.settings import RagSettings
from talkrag.rag.verify import OfflineVerifier

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


def _verify_ms(result: Answer, retriever: Retriever, hits: list, question: str) -> float:
    began = time.perf_counter()
    known = retriever.sentence_vectors(hits)
    verify_answer(result, hits, OfflineVerifier(retriever.embedder, known=known), question)
    return (time.perf_counter() - began) * 1000


def verification(db: Path) -> dict[str, float]:
    """p50 of verifying an extractive answer and an answer in other words (see above)."""
    settings = RagSettings(db=db)
    retriever = open_retriever(settings)
    quoted_ms, written_ms = [], []
    for q in load_dataset(DATASET):
        hits = retriever.search(q.question, settings.k)
        if not hits or not q.reference_answer:
            continue
        quoted = answer(q.question, retriever, settings)
        cited = [Citation.from_hit(1, hits[0])]
        text = f"{q.reference_answer.rstrip('.')} [1]."
        written = Answer(answer=text, refused=False, citations=cited, mode="llm")
        quoted_ms.append(_verify_ms(quoted, retriever, hits, q.question))
        written_ms.append(_verify_ms(written, retriever, hits, q.question))
    return {
        "verify_extractive_p50_ms": _pct(quoted_ms, 0.5),
        "verify_llm_p50_ms": _pct(written_ms, 0.5),
        "verify_llm_p95_ms": _pct(written_ms, 0.95),
    }


# The child reports its own peak (VmHWM of its own memory map): ru_maxrss of a child would
# also count the parent's pages it was forked from.
_CHILD = """
import atexit, re, sys
def _peak():
    status = open("/proc/self/status").read()
    sys.stderr.write("peak-kib " + re.search(r"VmHWM:\\s+(\\d+)", status).group(1) + "\\n")
atexit.register(_peak)
sys.argv = ["talkrag", *sys.argv[1:]]
from talkrag.cli import main
main()
"""


def cold(db: Path, runs: int = 3) -> tuple[float, float, float]:
    """Median wall and CPU seconds of `talkrag ask` from a new process to printed answer; RSS."""
    command = [sys.executable, "-c", _CHILD, "ask", COLD, "--db", str(db)]
    seconds, cpu, peak = [], [], 0.0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        seconds.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        found = re.search(r"peak-kib (\d+)", done.stderr)
        peak = max(peak, int(found.group(1)) / 1024 if found else 0.0)
    return statistics.median(seconds), statistics.median(cpu), peak


def main() -> None:
    """Print warm search/answer latency and the cold start on an existing index."""
    parser = argparse.ArgumentParser(prog="python -m bench.queries", description=__doc__)
    parser.add_argument("--db", type=Path, default=Path(".bench/corpus-db"))
    parser.add_argument("--rounds", type=int, default=3, help="passes over the dev questions")
    args = parser.parse_args()
    if not (args.db / "chroma.sqlite3").is_file():
        print(f"skipped: no index at {args.db} (build one: make bench-index)")
        return
    load = os.getloadavg()[0]
    rows = open_retriever(RagSettings(db=args.db)).rows
    print(f"{args.db}: {len(rows):,} chunks, {rows.talk_count()} talks; load average {load:.1f}")
    figures = warm(args.db, args.rounds) | verification(args.db)
    print(", ".join(f"{k} {v:.1f}" for k, v in figures.items()))
    wall, cpu, rss = cold(args.db)
    print(f"cold `talkrag ask`: {wall:.2f} s wall, {cpu:.2f} s CPU (median of 3), {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
