"""Answer settings: retrieval depth, synthesis mode, and the OpenAI-compatible endpoint."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict
from talkrag.ingest.settings import IngestSettings

Mode = Literal["extractive", "llm"]  # how answers are written: without an LLM, or with one
MODES: tuple[str, ...] = get_args(Mode)
SEARCH_K = 5  # results a search lists unless asked for more
ANSWER_K = 6  # passages an answer reads
MAX_K = 50  # the most passages any face (CLI, HTTP API, MCP, LlamaIndex) may ask for


class RagSettings(IngestSettings):
    """Settings for answering; extends the ingest settings (one TALKRAG_* namespace)."""

    model_config = SettingsConfigDict(env_prefix="TALKRAG_", extra="ignore", populate_by_name=True)

    mode: Mode = Field("extractive", description="synthesis without an LLM (default) or with one")
    k: int = Field(ANSWER_K, ge=1, le=MAX_K, description="passages retrieved to answer from")
    llm_base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("llm_base_url", "TALKRAG_LLM_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1",
    )
    llm_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("llm_api_key", "TALKRAG_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key for the endpoint (local servers accept any)",
    )
    llm_model: str = Field("gpt-4o-mini", description="model name sent to the endpoint")
    llm_timeout: float = Field(60.0, gt=0, description="seconds to wait for the endpoint")
    llm_retries: int = Field(2, ge=0, le=10, description="retries on connection errors and 5xx")
    llm_max_tokens: int = Field(400, ge=16, description="longest answer the LLM may write")
