"""Safe to expose: API key, limits with clear 4xx errors, no tracebacks, transcripts as data."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.api.server import Server, start_server

pytestmark = pytest.mark.slow

KEY = "s3cret-key-for-tests"
QUESTION = {"question": "Why did sharding by document id make queries slow?"}


@pytest.fixture(scope="module")
def keyed(api_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A second server on the same index, with TALKRAG_API_KEY set."""
    running = start_server(
        api_db, tmp_path_factory.mktemp("keyed") / "server.log", TALKRAG_API_KEY=KEY
    )
    yield running
    running.stop()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/ask"),
        ("POST", "/v1/chat"),
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/talks"),
        ("GET", "/v1/talks/vector-database-sharding"),
        ("GET", "/v1/models"),
    ],
)
@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {KEY}", f"Bearer {KEY}x", "Bearer"])
def test_every_v1_route_needs_the_key(keyed: Server, method: str, path: str, auth: str | None):
    headers = {"Authorization": auth} if auth else {}
    r = httpx.request(method, keyed.url + path, headers=headers, json={}, timeout=60)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["type"] == "unauthorized"


def test_the_right_key_passes_and_health_stays_open(keyed: Server):
    r = httpx.post(
        f"{keyed.url}/v1/ask",
        json=QUESTION,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=120,
    )
    assert r.status_code == 200, r.text
    assert r.json()["citations"]
    health = httpx.get(f"{keyed.url}/health", timeout=60).json()
    assert health["auth_required"] is True
    assert KEY not in keyed.log.read_text()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": "x" * 2001}, "question"),
        ({"question": "   "}, "question"),
        ({"question": 42}, "question"),
        ({"question": "ok", "k": 0}, "k"),
        ({"question": "ok", "k": 51}, "k"),
        ({"question": "ok", "k": "many"}, "k"),
        ({"question": "ok", "mode": "magic"}, "mode"),
        ({"question": "ok", "filters": {"date_from": "last week"}}, "filters.date_from"),
        ({"question": "ok", "surprise": 1}, "surprise"),
        ({}, "question"),
    ],
)
def test_bad_ask_bodies_are_422_naming_the_field(api, body: dict, field: str):
    r = api.post("/v1/ask", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request"
    assert field in [f["field"] for f in error["fields"]]


@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ([], "messages"),
        ([{"role": "user", "content": "hi"}] * 41, "messages"),
        ([{"role": "assistant", "content": "hello"}], "messages"),
        ([{"role": "user", "content": "q" * 2001}], "messages"),
        ([{"role": "wizard", "content": "hi"}], "messages.0.role"),
        ([{"role": "user", "content": "x" * 8001}], "messages.0.content"),
    ],
)
def test_bad_conversations_are_422(api, messages: list, field: str):
    for path in ("/v1/chat", "/v1/chat/completions"):
        r = api.post(path, json={"messages": messages})
        assert r.status_code == 422, (path, r.text)
        fields = [f["field"] for f in r.json()["error"]["fields"]]
        assert any(f.startswith(field) for f in fields), (path, fields)


def test_malformed_json_is_422_on_the_body(api):
    r = api.post("/v1/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "body"


def test_bodies_over_the_limit_are_413(api):
    big = b'{"question": "' + b"a" * 200_000 + b'"}'
    r = api.post("/v1/ask", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["type"] == "too_large"

    def chunked():  # no Content-Length: the limit holds while reading
        yield big[:100_000]
        yield big[100_000:]

    r = api.post("/v1/ask", content=chunked(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_llm_mode_without_an_llm_is_a_clear_422(api):
    r = api.post("/v1/ask", json={**QUESTION, "mode": "llm"})
    assert r.status_code == 422
    assert "llm mode is not configured" in r.json()["error"]["message"]


def test_no_response_carries_a_traceback(api, server: Server):
    bodies = [
        ("POST", "/v1/ask", {"question": ["a"]}),
        ("POST", "/v1/chat", {"messages": "nope"}),
        ("POST", "/v1/chat/completions", {"messages": [{"content": None}]}),
        ("GET", "/v1/talks/%ff%fe", None),
        ("DELETE", "/v1/ask", None),
        ("POST", "/v1/ask", b'{"question": "\xff\xfe"}'),
        ("POST", "/v1/ask", b'{"question": "\\ud800 lone surrogate?"}'),
        ("POST", "/v1/ask", b"[1, 2, 3]"),
    ]
    for method, path, body in bodies:
        raw = {"content": body} if isinstance(body, bytes) else {"json": body}
        r = api.request(method, path, **raw, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
        assert "Traceback" not in r.text
        assert 'File "' not in r.text
        assert r.json()["error"]["message"]


def test_an_instruction_in_a_transcript_changes_nothing(api):
    r = api.post(
        "/v1/ask", json={"question": "What does cross-site scripting in captions look like?"}
    )
    body = r.json()
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    injected = [c for c in body["citations"] if "Markup in Captions" in c["title"]]
    assert injected  # the hostile talk is retrieved and quoted as data...
    assert "<script>window.__pwned=4</script>" in injected[0]["text"]
    other = api.post("/v1/ask", json=QUESTION).json()
    assert "PWNED" not in other["answer"]  # ...and its instructions steer no other answer
    assert all("Markup in Captions" not in c["title"] for c in other["citations"])
