"""GET /: the web page (its script and styles are served from the package under /static)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

WEB = Path(__file__).resolve().parents[1] / "web"

router = APIRouter(tags=["web"], include_in_schema=False)


@router.get("/")
def page() -> FileResponse:
    """The page: ask, watch the answer stream in, open cited moments."""
    return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8")
