"""GET /digest (the page), /digest.css and GET /v1/digest (JSON): the recap of the talks,
made once per index generation and request, and kept for the next reader."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from talkrag.api.deps import ApiKeyDep, ServiceDep
from talkrag.api.limits import PAGE_POLICY
from talkrag.api.service import Service
from talkrag.ingest.errors import InputError
from talkrag.rag.digest import make_digest
from talkrag.rag.digest_html import STYLE, digest_html
from talkrag.rag.digest_models import DEFAULT_THEMES, MAX_THEMES, Digest, DigestRequest
from talkrag.rag.models import Filters
from talkrag.rag.settings import Mode

KEPT = 8  # digests kept per server (a whole-corpus one takes a while to make)
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"

router = APIRouter(tags=["digest"])  # under /v1, behind the API key
page = APIRouter(tags=["web"], include_in_schema=False, dependencies=[ApiKeyDep])


class _Kept:
    """The last few digests by (index generation, request): a new ingest makes new ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._digests: OrderedDict[tuple[Any, ...], Digest] = OrderedDict()

    def get(self, service: Service, request: DigestRequest) -> Digest:
        """The digest, made now unless the same one of this generation is kept."""
        if request.mode == "llm" and service.llm is None:
            raise InputError("mode: llm mode is not configured on this server (no OPENAI_BASE_URL)")

        def made(retriever: Any) -> tuple[str, Digest]:
            key = (retriever.twin.generation, repr(request))
            with self._lock:
                if key in self._digests:
                    return key, self._digests[key]
            return key, make_digest(retriever, request, service.llm)

        key, digest = service.index.read(made)
        with self._lock:
            self._digests[key] = digest
            while len(self._digests) > KEPT:
                self._digests.popitem(last=False)
        return digest


def _kept(request: Request) -> _Kept:
    state = request.app.state
    if not hasattr(state, "digests"):
        state.digests = _Kept()
    kept: _Kept = state.digests
    return kept


def _request(  # noqa: PLR0913  (the page's query, field by field, as the CLI's flags)
    *,
    event: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(pattern=DATE)] = None,
    until: Annotated[str | None, Query(pattern=DATE)] = None,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
    track: Annotated[str | None, Query(max_length=200)] = None,
    topic: Annotated[str | None, Query(max_length=200)] = None,
    themes: Annotated[int, Query(ge=1, le=MAX_THEMES)] = DEFAULT_THEMES,
    mode: Annotated[Mode, Query()] = "extractive",
) -> DigestRequest:
    """The digest the query asks for (the CLI's flags, by the same names)."""
    filters = Filters(speaker=speaker, event=event, date_from=since, date_to=until)
    return DigestRequest(filters, track, topic, themes, mode)


Asked = Annotated[DigestRequest, Depends(_request)]


@router.get("/digest")
def digest_json(request: Request, service: ServiceDep, asked: Asked) -> dict[str, Any]:
    """The digest as JSON: themes, then their talks, then their quotes (citations)."""
    return _kept(request).get(service, asked).wire()


@page.get("/digest", response_class=HTMLResponse)
def digest_page(request: Request, service: ServiceDep, asked: Asked) -> HTMLResponse:
    """The digest as a page: text only (escaped), links to moments, no script."""
    html = digest_html(_kept(request).get(service, asked), stylesheet="/digest.css")
    return HTMLResponse(html, headers={"content-security-policy": PAGE_POLICY})


@page.get("/digest.css")
def digest_style() -> Response:
    """The page's style (one home: the same text an --out FILE.html carries inline)."""
    return Response(STYLE, media_type="text/css")
