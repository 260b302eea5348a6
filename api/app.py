"""create_app(settings): the FastAPI app; collaborators are passed in, nothing built at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from talkrag.api import errors
from talkrag.api.deps import ApiKeyDep
from talkrag.api.limits import EdgeMiddleware
from talkrag.api.routes import ask, completions, digest, health, talks, web
from talkrag.api.service import Service
from talkrag.api.settings import ApiSettings
from talkrag.ingest.errors import StoreError

log = logging.getLogger(__name__)


def create_app(settings: ApiSettings | None = None, service: Service | None = None) -> FastAPI:
    """The app over one index; settings from TALKRAG_* env vars when none are given."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = service or Service(settings)
        _warm(app.state.service)
        yield
        app.state.service.close()

    app = FastAPI(
        title="talkrag",
        summary="Answers about conference talks; every sentence cites talk, speaker and moment.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(EdgeMiddleware, max_bytes=settings.max_body_bytes)
    v1 = APIRouter(prefix="/v1", dependencies=[ApiKeyDep])
    for module in (ask, completions, talks, digest):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(health.router)
    app.include_router(web.router)
    app.include_router(digest.page)
    app.mount("/static", StaticFiles(directory=web.WEB), name="static")
    return app


def _warm(service: Service) -> None:
    """Load the model and open the index now, so the first question is not the slow one."""
    service.index.embedder.embed(["warm up"])  # the first forward pass is the slow one
    try:
        stats = service.index.stats()
        log.info("serving %d chunks of %d talks", stats["chunks"], stats["talks"])
    except StoreError as exc:  # the server still starts; questions get 503 until an ingest
        log.warning("no index yet: %s", exc)
