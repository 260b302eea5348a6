"""Bearer-key check for /v1 routes when TALKRAG_API_KEY is set; keys compared in constant time."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, status

_SCHEME = "bearer"


def presented_key(authorization: str | None) -> str | None:
    """The key in an `Authorization: Bearer <key>` header, or None."""
    if not authorization:
        return None
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != _SCHEME:
        return None
    return key.strip() or None


def key_matches(presented: str | None, expected: str) -> bool:
    """Whether the presented key is the expected one, compared in constant time."""
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


def require_api_key(request: Request) -> None:
    """Refuse the request with 401 unless it carries the configured key (no key: open)."""
    expected = request.app.state.settings.api_key
    if expected is None:
        return
    presented = presented_key(request.headers.get("authorization"))
    if not key_matches(presented, expected.get_secret_value()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong API key: send `Authorization: Bearer <TALKRAG_API_KEY>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
