"""The eval suite against real LLMs on llama.cpp: the judge's plumbing (Qwen2.5-Coder 0.5B),
and good vs bad systems (extractive vs gemma3 270M, a base model that cannot answer)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from talkrag.evals.judge import PARSE_TRIES, LLMJudge
from talkrag.evals.meta import Pair, build_pairs, evaluate
from talkrag.ingest.pipeline import discover
from talkrag.rag.llm import LLMClient
from talkrag.rag.verify import Verdict
from typer.testing import CliRunner

from talkrag.cli import app
from tests.conftest import FIXTURES, SAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.llm]
runner = CliRunner()
DATASET = FIXTURES / "eval" / "samples.jsonl"


class CountingClient:
    """The real client, counting its calls per claim (the claim being judged is set by Judging)."""

    def __init__(self, client: LLMClient) -> None:
        self.client, self.claim = client, ""
        self.calls: Counter[str] = Counter()

    def complete(self, messages: list[dict[str, str]]) -> str:
        self.calls[self.claim] += 1
        return self.client.complete(messages)


class Judging:
    """A Verifier around the judge that tells the client which claim it is asking about."""

    def __init__(self, judge: LLMJudge, client: CountingClient) -> None:
        self.judge, self.client, self.name = judge, client, judge.name
        self.verdicts: list[Verdict] = []

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict:
        self.client.claim = claim
        self.verdicts.append(self.judge.verify(claim, passages))
        return self.verdicts[-1]


def _run(pairs: list[Pair], client: CountingClient, cache: Path) -> tuple[dict, list[Verdict]]:
    """evaluate() with a fresh judge on the cache; the metrics and each pair's verdict."""
    client.calls.clear()
    verifier = Judging(LLMJudge(client, "gemma", cache), client)
    return evaluate(pairs, verifier), verifier.verdicts


def test_judge_plumbing_on_a_real_model(llm_server: str, tmp_path: Path):
    """Whatever the model writes: a verdict or a counted failure per claim, cached verdicts free.

    How many claims parse, and on which try, depends on the model and the llama.cpp build (the
    counting itself is tested with a scripted client in tests/unit/test_judge.py).
    """
    files, _ = discover([SAMPLES])
    pairs = build_pairs(files[:4], seed=0)[:4]
    assert len({p.claim for p in pairs}) == 4  # calls are counted by claim
    client = CountingClient(LLMClient("qwen", base_url=llm_server, max_tokens=32, timeout=600))
    cache = tmp_path / "judge.jsonl"

    first, verdicts = _run(pairs, client, cache)
    parsed = [v for v in verdicts if not v.parse_failed]
    assert (first["pairs"], len(verdicts)) == (4, 4)
    assert first["parse_failures"] == 4 - len(parsed)
    for pair, verdict in zip(pairs, verdicts, strict=True):
        assert 1 <= client.calls[pair.claim] <= PARSE_TRIES
        if verdict.parse_failed:
            assert client.calls[pair.claim] == PARSE_TRIES
            assert not verdict.supported
    lines = cache.read_text(encoding="utf-8").splitlines() if cache.exists() else []
    entries = [json.loads(line) for line in lines]
    assert [e["supported"] for e in entries] == [v.supported for v in parsed]
    assert all(isinstance(e["key"], str) and len(e["key"]) == 64 for e in entries)

    again, reverdicts = _run(pairs, client, cache)
    assert again["pairs"] == 4
    for pair, before, after in zip(pairs, verdicts, reverdicts, strict=True):
        if before.parse_failed:  # asked again, from scratch
            assert 1 <= client.calls[pair.claim] <= PARSE_TRIES
        else:  # answered from the cache, without a call
            assert client.calls[pair.claim] == 0
            assert (after.supported, after.parse_failed) == (before.supported, False)


def test_good_and_bad_systems_are_told_apart(gemma_server: str, tmp_path: Path, monkeypatch):
    """The eval answers through the product's path, so a model that cannot answer gets its
    answers verified away: it answers less, and nothing unsupported reaches the figures."""
    db = tmp_path / "db"
    assert runner.invoke(app, ["ingest", str(SAMPLES), "--db", str(db)]).exit_code == 0
    monkeypatch.setenv("OPENAI_BASE_URL", gemma_server)
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
    assert bad["answerable_refused"] > good["answerable_refused"] + 0.3, figures
    assert bad["answers_citing_gold_all"] < good["answers_citing_gold_all"] - 0.3, figures
    assert bad["claims_supported"] in (None, 1.0), figures  # verified before it is returned
