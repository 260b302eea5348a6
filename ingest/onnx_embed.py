"""Texts -> normalised vectors with the ONNX export of the model, on ONNX Runtime (no torch).

The exported graph holds the transformer, mean pooling and the L2 norm, so this module only
tokenizes (the model's own tokenizer.json) and runs the session: its imports stay light, which
keeps a query's cold start near one second.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from talkrag.ingest.errors import ModelError
from talkrag.ingest.sentences import Pooled, Span, pool
from tokenizers import Tokenizer

log = logging.getLogger(__name__)


class OnnxEmbedder:
    """An Embedder backed by an ONNX Runtime session; texts are batched shortest first."""

    def __init__(  # noqa: PLR0913  (make_embedder's settings, each a value)
        self,
        model_dir: Path,
        name: str,
        backend: str,
        max_tokens: int,
        batch_size: int = 32,
        cache_dir: Path | None = None,
        *,
        parallel: int = 1,
    ) -> None:
        self.name = name
        self.backend = backend
        self._model_dir, self._cache_dir = model_dir, cache_dir
        self._max_tokens, self._batch_size = max_tokens, batch_size
        self._session: object | None = None
        self._single: object | None = None  # one thread per run, `parallel` runs at a time
        self._parallel = parallel
        self._pool: ThreadPoolExecutor | None = None
        self._path: Path | None = None
        self._tokenizer: Tokenizer | None = None

    def load(self) -> None:
        """Export (first use only) and open the model now rather than on the first embed."""
        if self._session is not None:
            return
        from talkrag.ingest.export import onnx_model  # noqa: PLC0415

        path = onnx_model(self._model_dir, self.backend, self._cache_dir)
        self._tokenizer = _tokenizer(self._model_dir, self._max_tokens)
        self._session = _session(path)
        self._path = path
        log.info("loaded %s embedding model from %s", self.backend, path)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches of similar length (less padding), in the order given."""
        return self._embed(texts, None)[0]

    def embed_with_sentences(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[Pooled]]:
        """Unit vectors, plus each text's sentence vectors pooled from the same pass."""
        return self._embed(texts, spans)

    def _embed(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]] | None
    ) -> tuple[np.ndarray, list[Pooled]]:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32), []
        self.load()
        encodings = self._tokenizer.encode_batch(list(texts))  # type: ignore[union-attr]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out: np.ndarray | None = None
        pooled: list[Pooled] = [([], np.zeros(0))] * (len(texts) if spans is not None else 0)
        batches = [
            order[at : at + self._batch_size] for at in range(0, len(order), self._batch_size)
        ]
        for rows, (vectors, tokens) in zip(
            batches, self._runs(encodings, batches, spans is not None), strict=True
        ):
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
            for j, i in enumerate(rows if spans is not None else ()):
                # pooled per batch, so a group's token states never sit in memory at once
                pooled[i] = pool(tokens[j], encodings[i].offsets, spans[i])  # type: ignore[index]
        return out, pooled  # type: ignore[return-value]

    def _runs(
        self, encodings: list[Any], batches: list[list[int]], with_tokens: bool
    ) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """Each batch's outputs in order; side by side on single-threaded runs when set up."""
        if self._parallel == 1 or len(batches) < 2 * self._parallel:  # a query: one fast run
            return (self._run([encodings[i] for i in rows], with_tokens) for rows in batches)
        if self._pool is None:  # made on the first large call: queries never pay for it
            # Small batches (int8 runs one text at a time) keep the cores busier as
            # single-threaded runs side by side than as one run split op by op: 1.2x on 2 cores.
            self._single = _session(self._path, threads=1)
            self._pool = ThreadPoolExecutor(self._parallel, thread_name_prefix="talkrag-embed")
        single = self._single
        return self._pool.map(
            lambda rows: self._run([encodings[i] for i in rows], with_tokens, single), batches
        )

    def _run(
        self, encodings: list[object], with_tokens: bool, session: object = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        width = max(len(e.ids) for e in encodings)  # type: ignore[attr-defined]
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            n = len(e.ids)  # type: ignore[attr-defined]
            ids[row, :n] = e.ids  # type: ignore[attr-defined]
            mask[row, :n] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        names = ["embedding", "tokens"] if with_tokens else ["embedding"]
        got = (session or self._session).run(names, feeds)  # type: ignore[attr-defined]
        tokens = np.asarray(got[1], dtype=np.float32) if with_tokens else None
        return np.asarray(got[0], dtype=np.float32), tokens


def _tokenizer(model_dir: Path, max_tokens: int) -> Tokenizer:
    """The model's tokenizer, cutting at the model's limit as sentence-transformers does."""
    path = model_dir / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # the Rust binding raises its own untyped Exception
        raise ModelError(f"{path}: cannot load the tokenizer ({exc})") from exc
    tokenizer.no_padding()  # padding is done per sorted batch in _run
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def _session(path: Path, threads: int = 0) -> object:
    """An ONNX Runtime CPU session with every graph optimisation on (threads 0: one per core)."""
    import onnxruntime as ort  # noqa: PLC0415  (0.2 s import, only when embedding)

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # the optimiser's notices are not the user's concern
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # the pybind11 binding's errors (InvalidProtobuf...) are untyped
        raise ModelError(
            f"{path}: cannot open the ONNX model ({exc}); delete it to re-export"
        ) from exc
