"""Ingest settings: where the index lives, which model embeds, how chunks are sized."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IngestSettings(BaseSettings):
    """Settings for building the index; read from TALKRAG_* env vars, overridden by CLI flags."""

    model_config = SettingsConfigDict(env_prefix="TALKRAG_", extra="ignore")

    db: Path = Field(Path(".talkrag"), description="Chroma data directory (PersistentClient)")
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (`chroma run`); when set, --db is not used"
    )
    collection: str = Field("talkrag", description="prefix of the Chroma collections")
    model: str | None = Field(
        None,
        description="sentence-transformers model directory; default: the packaged all-MiniLM-L6-v2",
    )
    max_tokens: int = Field(
        256, ge=16, description="chunk limit in word pieces, special tokens included"
    )
    overlap_tokens: int = Field(
        48, ge=0, description="at most this many word pieces of a chunk's end repeat in the next"
    )
    batch_size: int = Field(64, ge=1, description="texts per embedding forward pass")
    backend: Literal["torch", "torch-bf16", "onnx", "onnx-int8"] | None = Field(
        None,
        description="what runs the model for a new index (default: the fastest that keeps the "
        "dev-set figures); an existing index always uses the backend it was built with",
    )
    cache: Path | None = Field(
        None, description="where ONNX exports are kept; default ~/.cache/talkrag"
    )
    embed_group: int = Field(
        512, ge=1, description="chunks gathered across files before one embedding call"
    )
