"""talkrag's hybrid search against N: a real index of synthetic chunks, grown through --sizes.

python -m bench.scale [--sizes 100000 1000000] [--queries 200] [--root DIR] [--keep]
python -m bench.scale --bare [--sizes 10000 30000]   # Chroma's HNSW alone, random vectors
python -m bench.scale --measure --root DIR           # search again an index --keep left

--minutes M stops growing after M minutes (between write rounds) and measures what was reached.

One index grows through the sizes (each size a checkpoint, so 1M reuses the first 100k). At
each size: insert rate, disk size, BM25 build (open_retriever's rebuild after the writes), then
a fresh process opens the index with open_retriever and times warm Retriever.search calls on
the dev-set questions (bench.scale_search). No chunk is embedded: text is real-corpus words in
~180-word windows, vectors are synthetic unit vectors clustered around real embeddings of
real passages (bench.synth explains why). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from talkrag.ingest.index import open_index
from talkrag.ingest.settings import IngestSettings
from talkrag.rag.retrieve import open_retriever
from talkrag.rag.settings import RagSettings

from bench import CORPUS, REPO, scale_bare, scale_search, synth, synth_index

COLUMNS = (
    "chunks", "talks", "insert/s", "build s", "chroma MiB", "bm25 build s", "bm25 MiB",
    "open s", "p50 ms", "p95 ms", "embed", "chroma", "bm25", "search RSS MiB", "build RSS MiB",
)  # fmt: skip


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f}"


def centres(index: synth_index.Index, sources: list[synth.Source], n: int) -> np.ndarray:
    """n centres: real embeddings of corpus passages, or random ones when n is negative."""
    if n < 0:
        return synth.random_centres(-n)
    began = time.perf_counter()
    got = synth_index.real_centres(index.embedder, sources, math.ceil(n / len(sources)))
    print(f"embedded {len(got):,} centres in {time.perf_counter() - began:.0f} s", flush=True)
    return got


def bm25_build(db: Path) -> float:
    """Seconds for open_retriever to rebuild and save BM25 after the writes (then freed)."""
    began = time.perf_counter()
    retriever = open_retriever(RagSettings(db=db))
    seconds = time.perf_counter() - began
    del retriever
    gc.collect()
    return seconds


def search_figures(db: Path, queries: int) -> dict[str, float]:
    """bench.scale_search's JSON line, from a fresh process (else from this one, said so)."""
    command = [sys.executable, "-m", "bench.scale_search", str(db), "--queries", str(queries)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if not done.returncode:
        return json.loads(done.stdout.strip().splitlines()[-1])
    # Chroma may fail to reload a segment the writing process still serves from memory: the
    # latency is still measurable here (the RSS is then this process's, builder included).
    print(f"bench.scale_search failed in a fresh process:\n{done.stderr[-1500:]}", flush=True)
    print("measuring in the building process instead", flush=True)
    return scale_search.measure(db, queries)


def _insert(built: synth_index.Built, total_s: float) -> list[str]:
    """Insert rate of the last round and seconds of inserts in all (none: a --measure row)."""
    return [f"{built.rate:,.0f}", f"{total_s:,.0f}"] if built.added else ["-", "-"]


def checkpoint(db: Path, built: synth_index.Built, total_s: float, queries: int) -> list[str]:
    """One table row: what the index holds and costs, and how fast it is searched."""
    chroma = synth_index.disk_bytes(db, skip="lexical-")
    build_s = bm25_build(db)
    bm25 = synth_index.disk_bytes(db / "lexical-talkrag")
    s = search_figures(db, queries)
    assert s["hits"] > 0, "the synthetic index returned no hits"  # noqa: S101
    ms = [f"{s[k]:.1f}" for k in ("search_p50_ms", "search_p95_ms", "embed_p50_ms")]
    ms += [f"{s[k]:.1f}" for k in ("chroma_p50_ms", "bm25_p50_ms")]
    return [
        f"{built.chunks:,}", f"{built.talks:,}", *_insert(built, total_s),
        _mib(chroma), f"{build_s:.1f}", _mib(bm25), f"{s['open_s']:.1f}", *ms,
        f"{s['peak_rss_mib']:,.0f}", f"{synth_index.peak_rss_mib():,.0f}",
    ]  # fmt: skip


def hybrid(args: argparse.Namespace, root: Path) -> None:
    """Grow one synthetic index through the sizes, printing a row at each."""
    began = time.perf_counter()
    sources = synth.load_sources([args.corpus] if args.corpus.is_dir() else [REPO / "transcripts"])
    words = sum(len(s.words) for s in sources)
    print(f"text: {len(sources):,} real transcripts ({words:,} words) from {args.corpus}, "
          f"read in {time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip
    index = synth_index.fresh_index(root / "db")
    points = centres(index, sources, args.centres)
    stream, insert_s = synth.TalkStream(sources), 0.0
    deadline = time.monotonic() + 60 * args.minutes if args.minutes else None
    print(" | ".join(COLUMNS), flush=True)
    for size in sorted(args.sizes):
        print(_load(), flush=True)
        built = synth_index.grow(index.store, stream, size, points, deadline)
        insert_s += built.seconds
        print(" | ".join(checkpoint(root / "db", built, insert_s, args.queries)), flush=True)
        if built.chunks < size:
            print(f"stopped at {built.chunks:,} chunks: --minutes {args.minutes} spent", flush=True)
            break
    print(_load(), flush=True)


def measure_only(args: argparse.Namespace, root: Path) -> None:
    """One row for an index a previous run kept (--keep) or left when interrupted."""
    store = open_index(IngestSettings(db=root / "db"), create=False).store
    built = synth_index.Built(store.count(), len(store.file_records()), 0.0, 0)
    print(" | ".join(COLUMNS), flush=True)
    print(" | ".join(checkpoint(root / "db", built, 0.0, args.queries)), flush=True)
    print(_load(), flush=True)


def bare(args: argparse.Namespace, root: Path) -> None:
    """The Chroma-only figures (random vectors, no text, no BM25, no model)."""
    print(_load(), flush=True)
    for size in args.sizes:
        folder = tempfile.mkdtemp(prefix="bare-", dir=root)
        row = scale_bare.measure(size, args.queries, folder)
        shutil.rmtree(folder)
        print("  ".join(f"{k} {v:,.1f}" for k, v in row.items()), flush=True)


def main() -> None:
    """Parse the options, run the chosen mode, clean up."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--centres", type=int, default=3000, help="negative: random centres")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="where the words come from")
    parser.add_argument("--root", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="leave the index in --root")
    parser.add_argument("--bare", action="store_true", help="Chroma alone, random vectors")
    parser.add_argument("--minutes", type=float, help="stop growing after this long")
    parser.add_argument("--measure", action="store_true", help="only search the --root index")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="talkrag-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    if args.measure and not args.root:
        parser.error("--measure needs --root, the folder a --keep run left")
    try:
        mode = bare if args.bare else measure_only if args.measure else hybrid
        mode(args, root)
    finally:
        if not (args.keep or args.measure):
            shutil.rmtree(root / "db", ignore_errors=True)
            if not args.root:
                shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
