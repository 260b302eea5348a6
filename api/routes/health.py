"""GET /health: index size, embedding model, whether an LLM is configured (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from talkrag.api.deps import ServiceDep
from talkrag.api.schemas import Health
from talkrag.ingest.errors import StoreError

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(service: ServiceDep) -> Health:
    """Whether the server can answer, and with what; `no_index` until something is ingested."""
    settings = service.settings
    try:
        stats, status = service.index.stats(), "ok"
    except StoreError:
        stats, status = {"chunks": 0, "talks": 0}, "no_index"
    return Health(
        status=status,
        embedding_model=service.index.embedder.name,
        llm_configured=service.llm is not None,
        llm_model=settings.llm_model if service.llm is not None else None,
        default_mode=settings.mode,
        auth_required=settings.api_key is not None,
        **stats,
    )
