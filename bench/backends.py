"""One index per embedding backend over the same chunks, to compare them on the development set.

python -m bench.backends --source-db DB --out DIR [--others N] [--backends onnx onnx-int8]

Chunks, metadata and file records are copied from an index built with torch fp32 (DB, e.g.
`make bench-index`), restricted to the dev set's gold files plus N other files; each backend
re-embeds the same texts (torch keeps DB's vectors). It prints each backend's cosine to fp32 and
how often a dev question's nearest chunk stays the same, then `python -m bench.devset --db
DIR/BACKEND` gives each one's hit@5 and evidence@5.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import chromadb
import numpy as np
from talkrag.evals.dataset import load_dataset
from talkrag.ingest.backends import make_embedder
from talkrag.ingest.embed import DEFAULT_MODEL_NAME, default_model_dir

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "evals" / "datasets" / "dev.jsonl"
PARTS = ("chunks", "files", "state")


def _subset(files: Any, gold: set[str], others: int) -> set[str]:
    sources = sorted(m["source"] for m in files.get(include=["metadatas"])["metadatas"])
    chosen = {s for s in sources if Path(s).name in gold}
    rest = [s for s in sources if s not in chosen]
    step = max(len(rest) // max(others, 1), 1)  # spread over the corpus, deterministic
    return chosen | set(rest[::step][:others])


def _read(col: Any, sources: set[str]) -> dict[str, list[Any]]:
    got = col.get(include=["documents", "metadatas", "embeddings"])
    keep = [i for i, m in enumerate(got["metadatas"]) if m.get("source") in sources]
    return {k: [got[k][i] for i in keep] for k in ("ids", "documents", "metadatas", "embeddings")}


def _write(db: Path, meta: dict[str, Any], rows: dict[str, dict[str, list[Any]]]) -> None:
    client = chromadb.PersistentClient(path=str(db))
    for part in PARTS:
        got = rows[part]
        col = client.get_or_create_collection(
            f"talkrag-{part}", embedding_function=None, metadata=meta if part == "chunks" else None
        )
        for start in range(0, len(got["ids"]), 2000):
            sl = slice(start, start + 2000)
            col.add(
                ids=got["ids"][sl],
                documents=got["documents"][sl] if part == "chunks" else None,
                metadatas=got["metadatas"][sl],
                embeddings=got["embeddings"][sl],
            )


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.backends", description=__doc__)
    parser.add_argument("--source-db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--others", type=int, default=40, help="non-gold files added")
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx", "onnx-int8"])
    return parser.parse_args()


def main() -> None:
    """Copy the subset once per backend, re-embedding its chunks, and print the agreement."""
    args = _args()
    questions = load_dataset(DATASET)
    gold = {s for q in questions for s in q.sources}
    source = chromadb.PersistentClient(path=str(args.source_db))
    cols = {p: source.get_collection(f"talkrag-{p}") for p in PARTS}
    sources = _subset(cols["files"], gold, args.others)
    rows = {p: _read(cols[p], sources) for p in ("chunks", "files")}
    state = cols["state"].get(include=["metadatas", "embeddings"])
    rows["state"] = {**state, "documents": None}
    reference = np.asarray(rows["chunks"]["embeddings"], dtype=np.float32)
    texts = rows["chunks"]["documents"]
    words = sum(len(t.split()) for t in texts)
    print(
        f"{len(sources)} files ({len(sources & _named(sources, gold))} gold), "
        f"{len(texts)} chunks, {words:,} words",
        flush=True,
    )
    model_dir = default_model_dir()
    queries = [q.question for q in questions]
    torch_q = make_embedder(model_dir, DEFAULT_MODEL_NAME, "torch", 256, 64).embed(queries)
    for backend in args.backends:
        meta = {**cols["chunks"].metadata, "hnsw:space": "cosine", "talkrag:backend": backend}
        vectors = reference
        if backend != "torch":
            embedder = make_embedder(model_dir, DEFAULT_MODEL_NAME, backend, 256, 64)
            embedder.embed(["warm up"])
            began = time.perf_counter()
            vectors = embedder.embed(texts)
            seconds = time.perf_counter() - began
            print(
                json.dumps(
                    _agreement(
                        backend,
                        vectors,
                        reference,
                        embedder.embed(queries),
                        torch_q,
                        words / seconds,
                    )
                ),
                flush=True,
            )
        chunks = {**rows["chunks"], "embeddings": [list(map(float, v)) for v in vectors]}
        _write(args.out / backend, meta, {**rows, "chunks": chunks})


def _named(sources: set[str], gold: set[str]) -> set[str]:
    return {s for s in sources if Path(s).name in gold}


def _agreement(
    backend: str,
    docs: np.ndarray,
    ref: np.ndarray,
    q: np.ndarray,
    ref_q: np.ndarray,
    words_per_s: float,
) -> dict[str, Any]:
    """Cosine to the fp32 vectors and how often each query's top-1 chunk is unchanged."""
    cosine = (docs * ref).sum(axis=1)
    same = (np.argmax(q @ docs.T, axis=1) == np.argmax(ref_q @ ref.T, axis=1)).mean()
    return {
        "backend": backend,
        "cosine_to_fp32_mean": round(float(cosine.mean()), 5),
        "cosine_to_fp32_min": round(float(cosine.min()), 5),
        "query_cosine_mean": round(float((q * ref_q).sum(axis=1).mean()), 5),
        "top1_same": round(float(same), 3),
        "words_per_s_contended": round(words_per_s),
    }


if __name__ == "__main__":
    main()
