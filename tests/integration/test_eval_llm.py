"""The eval suite against a real LLM (gemma3 270M on llama.cpp): judge plumbing, good vs bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from talkrag.evals.judge import LLMJudge
from talkrag.evals.meta import build_pairs, evaluate
from talkrag.rag.llm import LLMClient
from typer.testing import CliRunner

from talkrag.cli import app
from tests.conftest import FIXTURES, SAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.llm]
runner = CliRunner()
DATASET = FIXTURES / "eval" / "samples.jsonl"


class CountingClient:
    """The real client, counting the requests that reach the server."""

    def __init__(self, client: LLMClient) -> None:
        self.client, self.calls = client, 0

    def complete(self, messages):
        self.calls += 1
        return self.client.complete(messages)


def test_judge_counts_parse_failures_and_caches_verdicts(llm_server: str, tmp_path: Path):
    pairs = build_pairs(sorted(SAMPLES.glob("*.*"))[:4], seed=0)[:4]
    client = CountingClient(LLMClient("gemma", base_url=llm_server, max_tokens=32, timeout=600))
    cache = tmp_path / "judge.jsonl"
    first = evaluate(pairs, LLMJudge(client, "gemma", cache))
    verdicts = [json.loads(x) for x in cache.read_text().splitlines()] if cache.exists() else []
    assert first["pairs"] == 4
    assert first["parse_failures"] + len(verdicts) == 4  # every claim: a verdict or a failure
    assert client.calls == len(verdicts) + 2 * first["parse_failures"]  # one retry per failure
    calls = client.calls
    again = evaluate(pairs, LLMJudge(client, "gemma", cache))
    assert client.calls - calls == 2 * again["parse_failures"]  # cached verdicts cost nothing
    assert again["parse_failures"] == first["parse_failures"]


def test_good_and_bad_systems_are_told_apart(llm_server: str, tmp_path: Path, monkeypatch):
    db = tmp_path / "db"
    assert runner.invoke(app, ["ingest", str(SAMPLES), "--db", str(db)]).exit_code == 0
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server)
    monkeypatch.setenv("TALKRAG_LLM_MODEL", "gemma")
    monkeypatch.setenv("TALKRAG_LLM_TIMEOUT", "600")  # 2 shared cores: a prompt can take minutes
    figures = {}
    for mode in ("extractive", "llm"):
        args = ["eval", str(DATASET), "--db", str(db), "--corpus", str(SAMPLES), "--mode", mode]
        result = runner.invoke(
            app, [*args, "--out", str(tmp_path / mode), "--json"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        figures[mode] = json.loads(result.stdout)["metrics"]
    good, bad = figures["extractive"], figures["llm"]
    assert good["claims_supported"] == 1.0, figures
    assert bad["answered"] > 0, figures  # uncited model text is scored, not taken as a refusal
    assert bad["claims_supported"] < good["claims_supported"] - 0.3, figures
    assert bad["citation_recall"] < good["citation_recall"] - 0.3, figures
