"""search, ask and chat through the CLI on a real index of the sample transcripts."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talkrag.cli import app
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the sample transcripts, built once for the module."""
    root = tmp_path_factory.mktemp("rag")
    shutil.copytree(SAMPLES, root / "talks")
    result = runner.invoke(app, ["ingest", str(root / "talks"), "--db", str(root / "db")])
    assert result.exit_code == 0, result.output
    return root / "db"


def _json(*args: str) -> dict:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_search_and_ask_report_the_speaker_a_question_names(db: Path):
    out = _json("search", "what did Adeyemi say about tenants", "--db", str(db), "--json")
    assert out["understood"]["speakers"] == ["Ben Adeyemi"]
    assert out["understood"]["talks"] == ["vector-database-sharding"]
    asked = _json("ask", "What did ben adeyemi say about tenants?", "--db", str(db), "--json")
    assert asked["understood"]["speakers"] == ["Ben Adeyemi"]
    assert {c["speaker"] for c in asked["citations"]} == {"Ben Adeyemi"}  # his words only


def test_the_sharding_sample_is_answered_with_its_reason(db: Path):
    got = _json(
        "ask", "Why did sharding by document id make queries slow?", "--db", str(db), "--json"
    )
    assert "every query had to visit every shard" in got["answer"]
    assert "the slowest shard decided our latency" in got["answer"]


def test_a_citation_is_at_its_quoted_sentences_moment(db: Path):
    got = _json(
        "ask", "Why did sharding by document id make queries slow?", "--db", str(db), "--json"
    )
    tenants = next(c for c in got["citations"] if c["speaker"] == "Ben Adeyemi")
    assert abs(tenants["start"] - 21.0) <= 1  # cue 00:00:21.000, mid-chunk
    assert tenants["at"] == "0:21"
    rag = _json("ask", "How do they measure retrieval on its own?", "--db", str(db), "--json")
    linked = [c for c in rag["citations"] if c["url"]]
    assert linked
    for c in linked:  # a timed talk with a video: the link opens the quoted moment
        assert c["url"].endswith(f"&t={int(c['start'])}s")
    assert any(c["start"] > 0 for c in linked)


def test_search_json_has_the_documented_shape(db: Path):
    out = _json("search", "how do you shard a vector index by tenant", "--db", str(db), "--json")
    assert set(out) == {"results", "ms", "understood"}
    assert out["understood"] == {"speakers": [], "companies": [], "talks": []}
    first = out["results"][0]
    assert set(first) == {
        "rank",
        "score",
        "source",
        "talk_id",
        "title",
        "speakers",
        "start",
        "end",
        "url",
        "time_estimated",
        "text",
    }
    assert first["source"].endswith("vector-database-sharding.vtt")
    assert first["time_estimated"] is False  # caption cues: read, not estimated
    assert [r["rank"] for r in out["results"]] == list(range(1, len(out["results"]) + 1))


def test_speaker_filter_keeps_only_that_speaker(db: Path):
    out = _json(
        "search",
        "approval for tools that write",
        "--speaker",
        "sofia",
        "--db",
        str(db),
        "--json",
        "-k",
        "10",
    )
    assert out["results"]
    assert all(any("Sofia" in s for s in r["speakers"]) for r in out["results"])
    none = _json(
        "search", "anything", "--speaker", "nobody-by-that-name", "--db", str(db), "--json"
    )
    assert none["results"] == []


def test_ask_cites_verbatim_passages(db: Path):
    out = _json(
        "ask", "Why did sharding by document id make queries slow?", "--db", str(db), "--json"
    )
    assert set(out) >= {"answer", "refused", "citations"}
    assert out["refused"] is False
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", out["answer"])}
    assert numbers == {c["n"] for c in out["citations"]}
    by_n = {c["n"]: c for c in out["citations"]}
    for sentence, n in re.findall(r"(.+?) \[(\d+)\]\s*", out["answer"]):
        assert sentence.strip() in by_n[int(n)]["text"]  # quoted verbatim from its source
    assert any(c["source"].endswith("vector-database-sharding.vtt") for c in out["citations"])
    citation = out["citations"][0]
    assert set(citation) >= {
        "n",
        "source",
        "talk_id",
        "title",
        "speaker",
        "start",
        "end",
        "url",
        "text",
    }


def test_ask_refuses_what_the_talks_do_not_cover(db: Path):
    out = _json("ask", "What is the boiling point of mercury in kelvin?", "--db", str(db), "--json")
    assert out["refused"] is True
    assert out["citations"] == []


def test_llm_mode_without_an_endpoint_says_what_to_set(db: Path):
    result = runner.invoke(app, ["ask", "anything", "--mode", "llm", "--db", str(db)])
    assert result.exit_code == 1
    assert "OPENAI_BASE_URL" in result.stderr


def test_chat_follow_ups_use_the_conversation(db: Path):
    stdin = "How did they shard the vector database?\nand what did that cost them?\n"
    result = runner.invoke(app, ["chat", "--db", str(db)], input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(re.findall(r"Sharding a Vector Database", result.stdout)) >= 2


def test_new_talks_are_searchable_after_ingest(db: Path, tmp_path: Path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "zebra.srt").write_text(
        "1\n00:00:01,000 --> 00:00:05,000\n"
        "Our zebra-striped replicas halved the failover time during the outage drill.\n"
    )
    before = _json("search", "zebra-striped replicas failover", "--db", str(db), "--json")
    assert not any(r["source"].endswith("zebra.srt") for r in before["results"])
    runner.invoke(app, ["ingest", str(extra), "--db", str(db)], catch_exceptions=False)
    after = _json("search", "zebra-striped replicas failover", "--db", str(db), "--json")
    assert after["results"][0]["source"].endswith("zebra.srt")


@pytest.mark.llm
def test_ask_in_llm_mode_through_a_real_server(db: Path, llm_server: str, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server)
    out = _json(
        "ask",
        "Why did sharding by document id make queries slow?",
        "--mode",
        "llm",
        "--db",
        str(db),
        "--json",
    )
    assert out["mode"] == "llm"
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", out["answer"])}
    assert numbers <= {c["n"] for c in out["citations"]}  # only sources that were given
    assert "<script" not in out["answer"]
    assert out["refused"] or out["citations"]


def test_ask_falls_back_to_extractive_when_the_llm_is_down(db: Path, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("TALKRAG_LLM_RETRIES", "0")
    out = _json(
        "ask",
        "Why did sharding by document id make queries slow?",
        "--mode",
        "llm",
        "--db",
        str(db),
        "--json",
    )
    assert out["mode"] == "extractive"
    assert "LLM failed" in out["notice"]
    assert out["citations"]


def test_neighbours_bring_the_chunks_around_a_hit(db: Path):
    plain = _json("search", "sharding by tenant", "--db", str(db), "--json", "-k", "1")
    assert "before" not in plain["results"][0]
    out = _json(
        "search", "sharding by tenant", "--db", str(db), "--json", "-k", "1", "--neighbours"
    )
    hit = out["results"][0]
    assert hit["before"] is not None or hit["after"] is not None
    context = (hit["before"] or "") + (hit["after"] or "")
    assert context
    assert context != hit["text"]
