"""Which backend runs the embedding model: chosen for a new index, then fixed by the index.

Documents and queries must be embedded by the same backend (int8 vectors sit ~0.99 cosine from
fp32 ones, enough to reorder near-ties), so the index records its backend and every later open
uses the recorded one. Asking to ingest into an index with another backend is refused
(IndexMismatch, which says to --rebuild); a query with another backend set logs a warning and
uses the index's.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from talkrag.ingest.embed import Embedder, SentenceTransformerEmbedder
from talkrag.ingest.errors import ConfigError

log = logging.getLogger(__name__)

BACKENDS = ("torch", "torch-bf16", "onnx", "onnx-int8")
# Chosen on the development set: the fastest that loses at most 1 point of hit@5 and evidence@5
# to fp32. Over the whole corpus (505 talks) int8 loses none: hit@5 0.95 and evidence@5 0.80 for
# both, hit@1 and MRR equal too (a 100-file subset had shown one question of 60 lost).
DEFAULT_BACKEND = "onnx-int8"
# What built an index that records no backend: every index before backends existed.
LEGACY_BACKEND = "torch"
BACKEND_KEY = "talkrag:backend"


def choose_backend(asked: str | None, recorded: str | None, create: bool) -> str:
    """The backend to open an index with, given the setting and what the index records."""
    if asked is not None and asked not in BACKENDS:
        raise ConfigError(f"TALKRAG_BACKEND={asked}: not one of {', '.join(BACKENDS)}")
    if recorded is None:
        return asked or DEFAULT_BACKEND
    if asked and asked != recorded:
        if create:  # an ingest: the store's fingerprint check refuses it, naming both
            return asked
        log.warning("the index was built with backend %s; queries use it, not %s", recorded, asked)
    return recorded


def make_embedder(
    model_dir: Path,
    name: str,
    backend: str,
    max_tokens: int,
    batch_size: int,
    cache: Path | None = None,
) -> Embedder:
    """The embedder for a backend; nothing heavy is imported until its first use."""
    if backend.startswith("onnx"):
        from talkrag.ingest.onnx_embed import OnnxEmbedder  # noqa: PLC0415

        # int8 quantizes activations with one scale per batch, so a text's vector would shift
        # with its batch-mates (cosine down to 0.989): one text per run keeps it deterministic.
        batch = 1 if backend == "onnx-int8" else min(batch_size, 32)
        parallel = (os.cpu_count() or 1) if batch == 1 else 1
        return OnnxEmbedder(model_dir, name, backend, max_tokens, batch, cache, parallel=parallel)
    if backend in ("torch", "torch-bf16"):
        return SentenceTransformerEmbedder(
            model_dir, name, batch_size, bf16=backend == "torch-bf16"
        )
    raise ConfigError(f"backend '{backend}': not one of {', '.join(BACKENDS)}")
