"""Chroma's HNSW alone: random unit vectors, no text, timed k=20 queries (`scale.py --bare`)."""

from __future__ import annotations

import resource
import time

import chromadb
import numpy as np

from bench.synth import DIM, unit

BATCH = 5000


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
            embeddings=unit(rng.standard_normal((n, DIM))),
            metadatas=[{"source": f"talk-{i % 500}"} for i in range(start, start + n)],
        )
    insert_s = time.perf_counter() - began
    probes = unit(rng.standard_normal((queries, DIM)))
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
