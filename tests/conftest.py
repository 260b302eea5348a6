"""Shared fixtures: a clean environment, the real model, real Chroma, and the shared corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from talkrag.evals.settings import DEFAULT_CORPUS

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SAMPLES = REPO / "transcripts"
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
