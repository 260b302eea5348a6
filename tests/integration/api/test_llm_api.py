"""llm mode over the API: llama.cpp (gemma3 270M) writes; talkrag streams it, then checks it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.api.server import start_server
from tests.integration.api.test_endpoints import sse_events

pytestmark = [pytest.mark.slow, pytest.mark.llm]


def test_chat_streams_the_llm_deltas_then_the_checked_answer(
    llm_server: str, api_db: Path, tmp_path: Path
):
    server = start_server(
        api_db,
        tmp_path / "server.log",
        "--mode",
        "llm",
        OPENAI_BASE_URL=llm_server,
        TALKRAG_LLM_MODEL="gemma3",
        TALKRAG_LLM_MAX_TOKENS="96",
        TALKRAG_LLM_TIMEOUT="240",
    )
    try:
        with httpx.Client(base_url=server.url, timeout=300) as api:
            assert api.get("/health").json()["llm_configured"] is True
            question = "Why did sharding by document id make queries slow?"
            body = {"messages": [{"role": "user", "content": question}], "k": 3}
            with api.stream("POST", "/v1/chat", json=body) as r:
                assert r.status_code == 200
                events = sse_events(r.read().decode())
    finally:
        server.stop()
    names = [name for name, _ in events]
    assert names[-2:] == ["answer", "done"], events[-3:]
    deltas = "".join(d["text"] for n, d in events if n == "delta")
    final = events[-2][1]
    assert deltas.strip()  # the model's own text, streamed as it came
    assert final["mode"] == "llm"
    assert final["refused"] or final["citations"]
    numbers = [c["n"] for c in final["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))  # checked and renumbered
