"""Dependencies routes declare: the shared Service, and the API-key check for /v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from talkrag.api.auth import require_api_key
from talkrag.api.service import Service


def get_service(request: Request) -> Service:
    """The Service the app was built with."""
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]
ApiKeyDep = Depends(require_api_key)
