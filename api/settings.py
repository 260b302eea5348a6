"""Server settings: the API key, request limits and where to listen; extends RagSettings."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict
from talkrag.rag.settings import RagSettings

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class ApiSettings(RagSettings):
    """Settings for `talkrag serve`; one TALKRAG_* namespace with the layers below."""

    model_config = SettingsConfigDict(env_prefix="TALKRAG_", extra="ignore", populate_by_name=True)

    api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("api_key", "TALKRAG_API_KEY"),
        description="when set, every /v1 route needs `Authorization: Bearer <key>`",
    )
    host: str = Field("127.0.0.1", description="interface to listen on (loopback by default)")
    port: int = Field(8000, ge=1, le=65535, description="TCP port to listen on")
    max_body_bytes: int = Field(
        128 * 1024, ge=1024, description="largest request body accepted (413 beyond it)"
    )


def is_loopback(host: str) -> bool:
    """Whether a listen address is reachable only from this machine."""
    return host in LOOPBACK or host.startswith("127.")
