"""/v1/ask, /v1/chat (SSE), /v1/talks, /health and the docs, against a real server process."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ANSWER_FIELDS

pytestmark = pytest.mark.slow

CITATION_FIELDS = {
    "n",
    "chunk_id",
    "source",
    "talk_id",
    "title",
    "speaker",
    "start",
    "end",
    "url",
    "time_estimated",
    "text",
    "quote",
    "at",
}


def sse_events(text: str) -> list[tuple[str, dict]]:
    """(event, data) pairs of a server-sent-events body."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_ask_answers_with_the_cli_citation_shape(api):
    r = api.post("/v1/ask", json={"question": "Why did sharding by document id hurt?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == ANSWER_FIELDS
    assert body["understood"] == {"speakers": [], "companies": [], "talks": []}
    assert not body["refused"]
    assert body["citations"]
    assert set(body["citations"][0]) == CITATION_FIELDS
    assert any(c["talk_id"] == "vector-database-sharding" for c in body["citations"])
    for c in body["citations"]:
        assert f"[{c['n']}]" in body["answer"]


def test_ask_filters_by_speaker_and_takes_k(api):
    r = api.post(
        "/v1/ask",
        json={
            "question": "What happens to tools that write or delete data?",
            "k": 3,
            "filters": {"speaker": "marcus"},
        },
    )
    assert r.status_code == 200, r.text
    citations = r.json()["citations"]
    assert citations
    assert all("Marcus" in (c["speaker"] or "") for c in citations)


def test_chat_streams_deltas_then_the_answer_with_citations(api):
    messages = [{"role": "user", "content": "Why did sharding by document id make queries slow?"}]
    with api.stream("POST", "/v1/chat", json={"messages": messages}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r.read().decode())
    names = [name for name, _ in events]
    assert names[-2:] == ["answer", "done"]
    assert names.count("delta") >= 2  # streamed in pieces, not one blob
    final = events[-2][1]
    assert "".join(d["text"] for n, d in events if n == "delta") == final["answer"]
    assert final["citations"]
    assert set(final["citations"][0]) == CITATION_FIELDS


def test_chat_follow_up_uses_the_conversation(api):
    first = "How did the team shard the vector database?"
    r1 = api.post("/v1/ask", json={"question": first}).json()
    follow = api.post(
        "/v1/chat",
        json={
            "stream": False,
            "messages": [
                {"role": "user", "content": first},
                {"role": "assistant", "content": r1["answer"]},
                {"role": "user", "content": "why?"},
            ],
        },
    )
    assert follow.status_code == 200, follow.text
    cited = {c["talk_id"] for c in follow.json()["citations"]}
    assert "vector-database-sharding" in cited  # "why?" alone retrieves nothing useful


def test_talks_lists_and_fetches_one(api):
    talks = api.get("/v1/talks").json()["talks"]
    ids = {t["talk_id"] for t in talks}
    assert "vector-database-sharding" in ids
    one = api.get("/v1/talks/vector-database-sharding")
    assert one.status_code == 200
    assert one.json()["title"].startswith("Sharding a Vector Database")


@pytest.mark.parametrize(
    "talk_id", ["nope", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..", "%00"]
)
def test_unknown_or_traversing_talk_ids_are_404(api, talk_id: str):
    r = api.get(f"/v1/talks/{talk_id}")
    assert r.status_code == 404
    assert r.json()["error"]["type"] == "not_found"
    assert "root:" not in r.text


def test_health_reports_index_model_and_llm(api):
    health = api.get("/health").json()
    assert health["status"] == "ok"
    assert health["chunks"] > 0
    assert health["talks"] >= 8
    assert "MiniLM" in health["embedding_model"]
    assert health["llm_configured"] is False
    assert health["auth_required"] is False


def test_openapi_docs_are_served(api):
    spec = api.get("/openapi.json").json()
    assert {"/v1/ask", "/v1/chat", "/v1/chat/completions", "/v1/talks", "/health"} <= set(
        spec["paths"]
    )
    assert api.get("/docs").status_code == 200


def test_page_is_served_with_a_strict_policy(api):
    page = api.get("/")
    assert page.status_code == 200
    assert "/static/app.js" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "http" not in policy  # nothing fetched from elsewhere
    assert api.get("/static/app.js").status_code == 200
    assert "innerHTML" not in api.get("/static/app.js").text
