"""`talkrag serve`: one uvicorn worker (a local Chroma directory has one writer per process)."""

from __future__ import annotations

import logging

from talkrag.api.settings import ApiSettings, is_loopback

log = logging.getLogger(__name__)


def exposure_warning(settings: ApiSettings) -> str | None:
    """What to tell the operator about who can reach the server, or None when it is fine."""
    if settings.api_key is not None:
        return None
    if is_loopback(settings.host):
        return (
            f"no TALKRAG_API_KEY set: listening on {settings.host} only (this machine); "
            "set TALKRAG_API_KEY before serving on another interface"
        )
    return (
        f"no TALKRAG_API_KEY set and listening on {settings.host}: anyone who can reach this "
        "port can ask questions and list the talks"
    )


def serve(settings: ApiSettings) -> None:
    """Run the app under uvicorn until interrupted."""
    import uvicorn  # noqa: PLC0415  (only `serve` pays for the server stack)
    from talkrag.api.app import create_app  # noqa: PLC0415

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        workers=1,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
