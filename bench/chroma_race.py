"""Does a second process reading a local Chroma directory during writes damage the index?

python -m bench.chroma_race [--chunks 150000] [--every 5] [--root DIR]

Give --root a small filesystem of its own (`mount -t tmpfs -o size=6g tmpfs DIR`): with readers,
Chroma's link_lists.bin grew from 176 KB to 6.3 GB in 30 s here, until the disk was full.

One process adds random 384-d vectors in Chroma's largest batches; every --every seconds a fresh
process opens the same directory and counts and queries it (as `talkrag search` would). When the
writer is done, one more fresh process opens it. Chroma's PersistentClient is single-process: a
reader applies the writer's pending log to the segments itself, and that can race the writer.
Printed, never asserted: this measures Chroma, not talkrag.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.scale_bare import BATCH
from bench.synth import DIM, unit


def _client(db: Path) -> Any:
    import chromadb  # noqa: PLC0415
    from chromadb.config import Settings  # noqa: PLC0415

    return chromadb.PersistentClient(path=str(db), settings=Settings(anonymized_telemetry=False))


def probe(db: Path) -> str:
    """One reader's view: the count and a query's hit count, or Chroma's error."""
    try:
        chunks = _client(db).get_collection("chunks")
        vector = unit(np.random.default_rng(1).standard_normal((1, DIM)))[0]
        hits = chunks.query(query_embeddings=[vector], n_results=5, include=[])["ids"][0]
        return f"ok: {chunks.count():,} chunks, {len(hits)} hits"
    except Exception as exc:  # noqa: BLE001  (any failure is the finding)
        return f"error: {str(exc)[:160]}"


def _reader(db: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bench.chroma_race", "--probe", str(db)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def write(db: Path, chunks: int, every: float) -> list[subprocess.Popen[str]]:
    """Add chunks in large batches, starting a reader process every `every` seconds."""
    collection = _client(db).create_collection("chunks", metadata={"hnsw:space": "cosine"})
    rng, readers, last = np.random.default_rng(0), [], time.monotonic()
    try:
        for at in range(0, chunks, BATCH):
            vectors = unit(rng.standard_normal((BATCH, DIM)))
            ids = [f"c{at + i:08d}" for i in range(BATCH)]
            collection.add(ids=ids, embeddings=vectors, documents=["x"] * BATCH)
            if every and time.monotonic() - last > every:
                readers.append(_reader(db))
                last = time.monotonic()
        print(f"writer: added {chunks:,} chunks", flush=True)
    except Exception as exc:  # noqa: BLE001
        print(f"writer failed: {str(exc)[:160]}", flush=True)
    return readers


def main() -> None:
    """Write with readers alongside, then print every reader's view and a final fresh one."""
    parser = argparse.ArgumentParser(prog="python -m bench.chroma_race", description=__doc__)
    parser.add_argument("--chunks", type=int, default=150_000)
    parser.add_argument("--every", type=float, default=5.0, help="0: no readers (the control)")
    parser.add_argument("--root", type=Path)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(probe(args.probe), flush=True)
        return
    root = Path(tempfile.mkdtemp(prefix="chroma-race-", dir=args.root))
    try:
        readers = write(root / "db", args.chunks, args.every)
        for n, reader in enumerate(readers, 1):
            print(f"reader {n} during the writes: {reader.communicate()[0].strip()[-200:]}")
        final = _reader(root / "db").communicate()[0].strip()
        print(f"fresh reader after the writer: {final[-200:] or 'no output'}", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
