"""evals.run answers through the product's path: what a user would get is what is scored.

A fake retriever (tests/unit/fakes.py) and a scripted LLM stand in for the index and the model;
the verifier is the real offline one over the fakes' deterministic embedder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from talkrag.evals.dataset import Question
from talkrag.evals.run import run_eval
from talkrag.evals.settings import EvalSettings
from talkrag.rag.prompts import REFUSAL
from talkrag.rag.verify import OfflineVerifier

from tests.unit.fakes import BATCHING, CACHING, FakeRetriever

QUESTIONS = [
    Question(id="q1", question="How much did prompt caching cut the monthly bill?"),
    Question(id="q2", question="What does continuous batching keep busy?"),
]


class ScriptedLLM:
    """One reply per question, in order."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)

    def complete(self, messages: list[dict[str, str]]) -> str:
        return self.replies.pop(0)


def _records(tmp_path: Path, llm: ScriptedLLM) -> list[dict]:
    settings = EvalSettings(mode="llm", k=2, corpus=tmp_path, out=tmp_path / "run")
    retriever = FakeRetriever([CACHING, BATCHING])
    verifier = OfflineVerifier(retriever.embedder)
    run_eval(QUESTIONS, retriever, settings, verifier, {"test": 1}, llm=llm)  # type: ignore[arg-type]
    lines = (tmp_path / "run" / "records.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("hollow", ["[1][2]", 'Source n="1" talk="Prompt Caching" [1]'])
def test_a_hollow_answer_is_scored_as_the_refusal_users_get(tmp_path: Path, hollow: str):
    llm = ScriptedLLM(hollow, "Continuous batching keeps every slot busy [1].")
    first, second = _records(tmp_path, llm)
    assert (first["refused"], first["answer"], first["claims"]) == (True, REFUSAL, [])
    assert "so it is not shown" in first["notice"]
    # [1] was caching: the verifier cited the sentence to the batching passage instead
    assert second["refused"] is False
    assert [c["chunk_id"] for c in second["citations"]] == [BATCHING.chunk_id]
    assert [c["supported"] for c in second["claims"]] == [True]
