"""Ingest throughput beside the model's raw forward-pass throughput on the same chunks."""

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

from talkrag.ingest.index import open_index
from talkrag.ingest.pipeline import ingest
from talkrag.ingest.settings import IngestSettings

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _pick(folder: Path, pattern: str, n: int) -> list[Path]:
    files = sorted(folder.glob(pattern))
    return files[:n] if n else files


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[list[str]], object], texts: list[str]) -> float:
    began = time.perf_counter()
    fn(texts)
    return time.perf_counter() - began


def run(files: list[Path], work: Path) -> None:
    """Ingest the files into a fresh index, then time the bare model on the same chunks."""
    library = work / "talks"
    library.mkdir()
    for f in files:
        shutil.copy(f, library / f.name)
    index = open_index(IngestSettings(db=work / "db"))
    index.embedder.embed(["warm up the model"])  # model load is not ingest throughput
    began = time.perf_counter()
    report = ingest([library], index.store, index.embedder, index.chunking)
    ingest_s = time.perf_counter() - began
    texts = index.store.texts()
    raw_s = min(_timed(index.embedder.embed, texts) for _ in range(2))  # best of two
    words = sum(len(t.split()) for t in texts)
    print(
        f"files {report.files}, failed {len(report.failed)}, chunks {len(texts)}, words {words:,}"
    )
    print(f"{'':24}{'seconds':>10}{'words/s':>12}{'chunks/s':>10}")
    print(
        f"{'ingest (warm model)':24}{ingest_s:>10.1f}{words / ingest_s:>12,.0f}"
        f"{len(texts) / ingest_s:>10.1f}"
    )
    print(
        f"{'raw forward pass':24}{raw_s:>10.1f}{words / raw_s:>12,.0f}{len(texts) / raw_s:>10.1f}"
    )
    print(
        f"ingest reaches {raw_s / ingest_s:.0%} of the forward pass; "
        f"peak RSS {_peak_rss_mib():,.0f} MiB"
    )
    began = time.perf_counter()
    again = ingest([library], index.store, index.embedder, index.chunking)
    print(
        f"rerun: {again.chunks_added} chunks added, {again.unchanged} unchanged, "
        f"{time.perf_counter() - began:.2f} s"
    )


def main() -> None:
    """Parse arguments, pick the corpus subset, run the ingest benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--files", type=int, default=25, help="aiewf2026 talks to ingest (0: all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    folder = args.corpus / "aiewf2026" / "transcripts"
    if not folder.is_dir():
        print(f"skipped: corpus not found at {folder} (it lives beside the repo in ../shared)")
        sys.exit(0)
    with tempfile.TemporaryDirectory(prefix="talkrag-bench-") as work:
        run(_pick(folder, "*.md", args.files), Path(work))


if __name__ == "__main__":
    main()
