"""Speed, side by side on the same transcripts: talkrag per backend, the bare model, LlamaIndex.

python -m bench [--files 25] [--backends torch onnx onnx-int8] [--no-llamaindex] [--digest]
Figures are printed, never asserted; on a shared machine, read them beside its load.
The other benchmarks run as modules of their own: bench.backends, bench.devset, bench.queries,
bench.load, bench.mcp, bench.scale, bench.qmsum, bench.faults, bench.chroma_race and
bench.moments (estimated moments against real times).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from talkrag.ingest.embed import default_model_dir

from bench import CORPUS, digest, llama, queries
from bench.ingest_rows import ROW, row, talkrag_rows


def _pick(folder: Path, pattern: str, n: int) -> list[Path]:
    files = sorted(folder.glob(pattern))
    return files[:n] if n else files


def llama_rows(library: Path, work: Path, words: int) -> None:
    """The careful LlamaIndex pipeline and its quickstart default, or why they are skipped."""
    reason = llama.missing()
    if reason:
        print(f"LlamaIndex rows skipped: {reason}")
        return
    model_dir = default_model_dir()
    row("LlamaIndex, careful (< 256 pieces)", llama.careful(library, model_dir, work), words)
    seconds, cut = llama.quickstart(library, model_dir)
    row("LlamaIndex quickstart (1024 tokens)", seconds, words, f"{cut:.0%} of words never embedded")


def main() -> None:
    """Parse arguments, pick the corpus subset, print every row."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--files", type=int, default=25, help="aiewf2026 talks to ingest (0: all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--no-llamaindex", action="store_true")
    parser.add_argument("--digest", action="store_true", help="and the digest's figures")
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
        peaks = ", ".join(f"{b} {peak:,.0f} MiB" for b, (_, peak) in dbs.items())
        print(f"peak RSS of each backend's ingest process: {peaks}")
        for backend, (db, _) in dbs.items():
            figures = queries.warm(db)
            cold_s, cold_cpu, cold_rss = queries.cold(db)
            print(
                f"{backend}: "
                + ", ".join(f"{k} {v:.1f}" for k, v in figures.items())
                + f", cold `talkrag ask` {cold_s:.2f} s wall, {cold_cpu:.2f} s CPU (median of 3), "
                f"its peak RSS {cold_rss:,.0f} MiB"
            )
        if args.digest:  # bench/digest.py; the whole corpus: python -m bench.digest
            digest.report(next(iter(dbs.values()))[0])


if __name__ == "__main__":
    main()
