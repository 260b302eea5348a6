"""rag.llm: each openai error becomes a talkrag LLMError at the boundary, with a hint what to do.

openai 3.x runs on httpx2, so its exceptions are built here from httpx2 requests and responses,
and the client tests run openai's real code over an httpx2.MockTransport (no server, no patching).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

openai = pytest.importorskip("openai", reason="openai is not installed (pip install openai)")
import httpx2  # noqa: E402  (openai brings it; imported after the skip above)
from talkrag.ingest.errors import LLMBadResponse, LLMError, LLMTimeout, LLMUnavailable  # noqa: E402
from talkrag.rag.llm import LLMClient, translate  # noqa: E402

URL = "http://127.0.0.1:9/v1/"
REQUEST = httpx2.Request("POST", f"{URL}chat/completions")
MESSAGES = [{"role": "user", "content": "hi"}]


def _status(cls: type, code: int, message: str = "nope") -> Exception:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    response = httpx2.Response(code, request=REQUEST, json=body)
    return cls(message, response=response, body=body["error"])


FOREIGN = [
    (openai.APIConnectionError(request=REQUEST), LLMUnavailable, "is the server running"),
    (openai.APITimeoutError(request=REQUEST), LLMTimeout, "TALKRAG_LLM_TIMEOUT"),
    (_status(openai.AuthenticationError, 401), LLMUnavailable, "OPENAI_API_KEY"),
    (_status(openai.PermissionDeniedError, 403), LLMUnavailable, "OPENAI_API_KEY"),
    (_status(openai.NotFoundError, 404), LLMUnavailable, "TALKRAG_LLM_MODEL"),
    (_status(openai.BadRequestError, 400), LLMUnavailable, "TALKRAG_LLM_MODEL"),
    (_status(openai.UnprocessableEntityError, 422), LLMUnavailable, "TALKRAG_LLM_MODEL"),
    (_status(openai.RateLimitError, 429), LLMUnavailable, "retry later"),
    (_status(openai.InternalServerError, 500), LLMUnavailable, "server's log"),
    (_status(openai.APIStatusError, 418), LLMUnavailable, "HTTP 418"),
    (
        openai.APIResponseValidationError(httpx2.Response(200, request=REQUEST), body=None),
        LLMBadResponse,
        "malformed",
    ),
    (openai.APIError("stream broke", REQUEST, body=None), LLMBadResponse, "stream broke"),
    (openai.OpenAIError("odd"), LLMBadResponse, "OpenAIError: odd"),
]


@pytest.mark.parametrize(
    ("foreign", "ours", "hint"), FOREIGN, ids=[type(f[0]).__name__ for f in FOREIGN]
)
def test_each_openai_error_maps_to_our_class(foreign: Exception, ours: type, hint: str):
    error = translate(foreign, URL, "gemma3", 1.5)
    assert type(error) is ours
    assert isinstance(error, LLMError)
    assert hint in str(error)
    assert URL in str(error)
    assert "\n" not in str(error)


def test_every_openai_api_error_class_is_covered():
    """A new openai error class (in openai's own __all__) must be added to FOREIGN above."""
    covered = {type(foreign) for foreign, _, _ in FOREIGN}
    exported = (getattr(openai, name) for name in openai.__all__ if name.endswith("Error"))
    api_errors = {cls for cls in exported if issubclass(cls, openai.APIError)}
    assert api_errors - covered <= {openai.ConflictError, openai.OAuthError}


def test_status_message_is_one_short_line():
    error = translate(_status(openai.BadRequestError, 400, "x\n" * 500), URL, "m", 1)
    assert "\n" not in str(error)
    assert len(str(error)) < 500


class MockClient(LLMClient):
    """The real client over a mock transport: openai's own code raises its own errors."""

    def __init__(self, handler, **kwargs) -> None:
        self._transport = httpx2.MockTransport(handler)
        super().__init__("gemma3", base_url=URL, retries=0, **kwargs)

    def _http_client(self) -> httpx2.Client:
        return httpx2.Client(transport=self._transport)


def _reply(status: int, body: object) -> object:
    return lambda request: httpx2.Response(status, json=body)


def _raise(exc: type[Exception]) -> object:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise exc("boom", request=request)

    return handler


def _completion(content: str | None) -> dict:
    message = {"role": "assistant", "content": content}
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "gemma3",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }


def _sse(*deltas: str) -> object:
    def chunk(text: str) -> str:
        choice = {"index": 0, "delta": {"content": text}, "finish_reason": None}
        body = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "g"}
        return "data: " + json.dumps({**body, "choices": [choice]}) + "\n\n"

    text = "".join(chunk(d) for d in deltas) + "data: [DONE]\n\n"
    headers = {"content-type": "text/event-stream"}
    return lambda request: httpx2.Response(200, headers=headers, content=text.encode())


@pytest.mark.parametrize(
    ("handler", "ours"),
    [
        (_raise(httpx2.ConnectError), LLMUnavailable),
        (_raise(httpx2.ReadTimeout), LLMTimeout),
        (_reply(401, {"error": {"message": "bad key"}}), LLMUnavailable),
        (_reply(404, {"error": {"message": "no such model"}}), LLMUnavailable),
        (_reply(400, {"error": {"message": "context window exceeded"}}), LLMUnavailable),
        (_reply(500, {"error": {"message": "crashed"}}), LLMUnavailable),
        (_reply(200, _completion(None)), LLMBadResponse),
        (_reply(200, _completion("   ")), LLMBadResponse),
        (_reply(200, {"id": "c1", "choices": []}), LLMBadResponse),
        (_reply(200, {"unexpected": True}), LLMBadResponse),
    ],
)
def test_complete_raises_only_our_errors(handler, ours: type):
    with pytest.raises(ours) as caught:
        MockClient(handler).complete(MESSAGES)
    assert type(caught.value) is ours


def test_complete_returns_the_content():
    assert MockClient(_reply(200, _completion("Latency fell [1]."))).complete(MESSAGES) == (
        "Latency fell [1]."
    )


def test_stream_yields_the_deltas():
    assert list(MockClient(_sse("Lat", "ency ", "fell [1].")).stream(MESSAGES)) == [
        "Lat",
        "ency ",
        "fell [1].",
    ]


@pytest.mark.parametrize(
    ("handler", "ours"),
    [
        (_raise(httpx2.ConnectError), LLMUnavailable),
        (_raise(httpx2.ReadTimeout), LLMTimeout),
        (_reply(401, {"error": {"message": "bad key"}}), LLMUnavailable),
        (_sse(), LLMBadResponse),
        (_sse("", ""), LLMBadResponse),
    ],
)
def test_stream_raises_only_our_errors(handler, ours: type):
    with pytest.raises(ours):
        list(MockClient(handler).stream(MESSAGES))


def test_no_key_is_sent_as_a_placeholder():
    seen = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers["authorization"])
        return httpx2.Response(200, json=_completion("ok [1]."))

    MockClient(handler).complete(MESSAGES)
    assert seen == ["Bearer not-needed"]


def test_the_default_path_never_imports_openai():
    code = (
        "import sys, talkrag.rag.generate, talkrag.rag.cite, talkrag.rag.prompts;"
        "sys.exit('openai' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
