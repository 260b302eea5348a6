"""Dense search latency and memory against the number of chunks, with synthetic vectors in Chroma.

python -m bench.scale [--sizes 10000 30000 100000] [--queries 200]
Vectors are random unit vectors of the model's size (384), so figures show Chroma's HNSW alone;
docs/scale.md extrapolates them to a corpus 1000x larger.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import chromadb
import numpy as np

DIM = 384
BATCH = 5000


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def measure(size: int, queries: int, folder: str) -> dict[str, float]:
    """Fill a fresh collection to size, then time k=20 queries one at a time."""
    rng = np.random.default_rng(size)
    client = chromadb.PersistentClient(path=folder)
    col = client.create_collection("scale", metadata={"hnsw:space": "cosine"})
    began = time.perf_counter()
    for start in range(0, size, BATCH):
        n = min(BATCH, size - start)
        col.add(
            ids=[str(i) for i in range(start, start + n)],
            embeddings=_unit(rng, n),
            metadatas=[{"source": f"talk-{i % 500}"} for i in range(start, start + n)],
        )
    insert_s = time.perf_counter() - began
    probes = _unit(rng, queries)
    col.query(query_embeddings=probes[:1], n_results=20)  # load the index
    ms = []
    for probe in probes:
        t = time.perf_counter()
        col.query(query_embeddings=probe[None, :], n_results=20)
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return {
        "chunks": size,
        "insert_per_s": size / insert_s,
        "p50_ms": ms[len(ms) // 2],
        "p95_ms": ms[int(len(ms) * 0.95)],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    """Print one line per size."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="talkrag-scale-") as folder:
            row = measure(size, args.queries, folder)
        print("  ".join(f"{k} {v:,.1f}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main()
