"""Evaluation settings: extend the answer settings with the corpus, verifier and output folder."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from talkrag.rag.settings import RagSettings

# Where the real corpora lie: beside the repository, as seen from its root (the one definition;
# tests and benchmarks resolve it against the repository).
DEFAULT_CORPUS = Path("../shared/corpus")


class EvalSettings(RagSettings):
    """Settings of an eval run; one TALKRAG_* namespace with the layers below."""

    model_config = SettingsConfigDict(env_prefix="TALKRAG_", extra="ignore", populate_by_name=True)

    corpus: Path = Field(
        DEFAULT_CORPUS, description="root that dataset evidence files are relative to"
    )
    verifier: Literal["offline", "llm"] = Field(
        "offline", description="who checks claims: offline (deterministic) or an LLM judge"
    )
    out: Path = Field(Path("eval-runs/latest"), description="folder for records and summary")
    retrieve_depth: int = Field(10, ge=1, le=100, description="hits scored for retrieval metrics")
    judge_model: str | None = Field(
        None, description="model name for the LLM judge; default: the answer model"
    )
