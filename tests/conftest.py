"""Shared fixtures: a clean environment, the real model, real Chroma, and the shared corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from talkrag.evals.settings import DEFAULT_CORPUS

if TYPE_CHECKING:
    from talkrag.rag.models import Hit

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SAMPLES = REPO / "transcripts"
# An Answer's fields on the wire (ask --json, /v1/ask, the SSE answer event): add, never rename.
ANSWER_FIELDS = {"answer", "refused", "citations", "mode", "notice", "understood", "sentences"}
CORPUS = (REPO / DEFAULT_CORPUS).resolve()  # ../shared/corpus, beside the repository

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No TALKRAG_* or OPENAI_* setting from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("TALKRAG_", "OPENAI_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real transcripts beside the repo; skipped with a reason when absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS} (it lives beside the repo in ../shared)")
    return CORPUS


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The packaged all-MiniLM-L6-v2 folder."""
    from talkrag.ingest.embed import default_model_dir

    return default_model_dir()


@pytest.fixture(scope="session")
def tokenizer(model_dir: Path):
    """The model's own tokenizer, limits off."""
    from talkrag.ingest.embed import load_tokenizer

    return load_tokenizer(model_dir)


@pytest.fixture(scope="session")
def embedder(model_dir: Path):
    """The real sentence-transformers embedder, loaded once per session."""
    from talkrag.ingest.embed import DEFAULT_MODEL_NAME, SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_dir, DEFAULT_MODEL_NAME)


def _sample_hit(rank: int, path: Path, speaker: str, start: float | None, text: str) -> Hit:
    from talkrag.rag.models import Hit

    return Hit(
        rank=rank,
        score=1.0 / rank,
        chunk_id=f"{path.stem}-{rank}",
        source=str(path),
        talk_id=path.stem,
        title=path.stem.replace("-", " "),
        speakers=[speaker],
        start=start,
        end=None,
        url=None,
        text=text,
    )


def sample_hits() -> list[Hit]:
    """Three passages taken verbatim from two sample transcripts, as retrieval would rank them."""
    caching = SAMPLES / "prompt-caching-costs.txt"
    turns = [line for line in caching.read_text().splitlines() if ": " in line]
    priya = next(t for t in turns if "a tenth of the normal rate" in t).split(": ", 1)[1]
    daniel = next(t for t in turns if t.startswith("Daniel Osei:")).split(": ", 1)[1]
    batching = SAMPLES / "gpu-inference-batching.json"
    segments = json.loads(batching.read_text())[5:8]
    text = " ".join(s["text"] for s in segments)
    return [
        _sample_hit(1, caching, "Priya Raman", None, priya),
        _sample_hit(2, caching, "Daniel Osei", None, daniel),
        _sample_hit(3, batching, "Hannah Lindqvist", segments[0]["start"], text),
    ]
