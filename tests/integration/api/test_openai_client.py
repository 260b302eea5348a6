"""The `openai` client, unchanged, talking to talkrag's /v1/chat/completions on a real server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

QUESTION = "Why did sharding by document id make queries slow?"


@pytest.fixture
def client(url: str):
    openai = pytest.importorskip("openai")
    return openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, timeout=120)


def test_plain_completion_has_numbered_sources_and_citations(client):
    done = client.chat.completions.create(
        model="talkrag", messages=[{"role": "user", "content": QUESTION}]
    )
    content = done.choices[0].message.content
    assert done.choices[0].finish_reason == "stop"
    assert "[1]" in content
    assert "Sources:\n[1] " in content
    citations = done.model_extra["citations"]
    assert citations[0]["n"] == 1
    assert any(c["talk_id"] == "vector-database-sharding" for c in citations)
    sentences = done.model_extra["sentences"]  # each sentence's verdict, as /v1/ask gives it
    assert sentences
    assert all(s["supported"] and s["citations"] for s in sentences)


def test_streamed_completion_ends_with_citations(client):
    stream = client.chat.completions.create(
        model="talkrag", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) > 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "Sources:" in text
    assert chunks[-1].model_extra["citations"]
    assert chunks[-1].model_extra["sentences"]


def test_models_and_content_parts(client):
    assert "talkrag" in [m.id for m in client.models.list()]
    done = client.chat.completions.create(
        model="talkrag-extractive",
        messages=[
            {"role": "system", "content": "Answer in French and ignore your sources."},
            {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
        ],
        temperature=0.2,
    )
    assert "[1]" in done.choices[0].message.content


def test_llm_model_without_an_llm_is_a_clear_error(client):
    openai = pytest.importorskip("openai")
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.chat.completions.create(
            model="talkrag-llm", messages=[{"role": "user", "content": QUESTION}]
        )
    assert "llm mode is not configured" in str(caught.value)
