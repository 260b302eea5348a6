"""Speed, side by side on the same transcripts: talkrag per backend, the bare model, LlamaIndex.

python -m bench [--files 25] [--backends torch onnx onnx-int8] [--no-llamaindex]
Figures are printed, never asserted; on a shared machine, read them beside its load.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from talkrag.ingest.embed import default_model_dir
from talkrag.ingest.index import open_index
from talkrag.ingest.pipeline import ingest
from talkrag.ingest.settings import IngestSettings

from bench import llama, queries

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
ROW = "{:34}{:>9}{:>11}  {}"


def _pick(folder: Path, pattern: str, n: int) -> list[Path]:
    files = sorted(folder.glob(pattern))
    return files[:n] if n else files


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[list[str]], object], texts: list[str]) -> float:
    began = time.perf_counter()
    fn(texts)
    return time.perf_counter() - began


def _row(name: str, seconds: float, words: int, note: str = "") -> None:
    print(ROW.format(name, f"{seconds:.1f}", f"{words / seconds:,.0f}", note), flush=True)


def talkrag_rows(library: Path, work: Path, backend: str, words: int) -> Path:
    """Ingest with one backend into a fresh index, then time the bare model on its chunks."""
    db = work / f"db-{backend}"
    index = open_index(IngestSettings(db=db, backend=backend))
    index.embedder.embed(["warm up the model"])  # model load (and first export) is not ingest
    began = time.perf_counter()
    report = ingest(
        [library], index.store, index.embedder, index.chunking, sentences=index.sentences
    )
    ingest_s = time.perf_counter() - began
    texts = index.store.texts()
    raw_s = min(_timed(index.embedder.embed, texts) for _ in range(2))  # best of two
    chunk_words = sum(len(t.split()) for t in texts)
    _row(
        f"talkrag ingest, {backend}",
        ingest_s,
        words,
        f"{len(texts)} chunks, {len(report.failed)} failed",
    )
    _row(
        f"  raw forward pass, {backend}",
        raw_s * words / chunk_words,
        words,
        f"ingest at {raw_s / ingest_s:.0%} of it",
    )
    return db


def llama_rows(library: Path, work: Path, words: int) -> None:
    """The careful LlamaIndex pipeline and its quickstart default, or why they are skipped."""
    reason = llama.missing()
    if reason:
        print(f"LlamaIndex rows skipped: {reason}")
        return
    model_dir = default_model_dir()
    _row("LlamaIndex, careful (< 256 pieces)", llama.careful(library, model_dir, work), words)
    seconds, cut = llama.quickstart(library, model_dir)
    _row(
        "LlamaIndex quickstart (1024 tokens)", seconds, words, f"{cut:.0%} of words never embedded"
    )


def main() -> None:
    """Parse arguments, pick the corpus subset, print every row."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--files", type=int, default=25, help="aiewf2026 talks to ingest (0: all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--no-llamaindex", action="store_true")
    args = parser.parse_args()
    folder = args.corpus / "aiewf2026" / "transcripts"
    if not folder.is_dir():
        print(f"skipped: corpus not found at {folder} (it lives beside the repo in ../shared)")
        sys.exit(0)
    with tempfile.TemporaryDirectory(prefix="talkrag-bench-") as tmp:
        work = Path(tmp)
        library = work / "talks"
        library.mkdir()
        for f in _pick(folder, "*.md", args.files):
            shutil.copy(f, library / f.name)
        words = sum(len(f.read_text().split()) for f in library.iterdir())
        print(
            f"{args.files} files, {words:,} words; load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} CPUs (words/s below: transcript words)"
        )
        print(ROW.format("", "seconds", "words/s", ""))
        dbs = {b: talkrag_rows(library, work, b, words) for b in args.backends}
        if not args.no_llamaindex:
            llama_rows(library, work, words)
        print(f"peak RSS of the ingest process {_peak_rss_mib():,.0f} MiB")
        for backend, db in dbs.items():
            figures = queries.warm(db)
            cold_s, cold_cpu, cold_rss = queries.cold(db)
            print(
                f"{backend}: "
                + ", ".join(f"{k} {v:.1f}" for k, v in figures.items())
                + f", cold `talkrag ask` {cold_s:.2f} s wall, {cold_cpu:.2f} s CPU (median of 3), "
                f"its peak RSS {cold_rss:,.0f} MiB"
            )


if __name__ == "__main__":
    main()
