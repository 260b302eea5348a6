"""rag.generate without a server: finish's checks on a given model output, llm_answer's plumbing.

A real model cannot be made to write a given answer, so what finish does with one is tested
here on written outputs; tests/integration/test_llm_server.py runs the real model.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from talkrag.rag.cite import UNCITED
from talkrag.rag.generate import build_messages, finish, llm_answer
from talkrag.rag.models import Citation, Hit
from talkrag.rag.prompts import REFUSAL, source_block

from tests.conftest import sample_hits

QUESTION = "How much did prompt caching save, and what does continuous batching do?"


@pytest.fixture(scope="module")
def hits() -> list[Hit]:
    """Three passages taken verbatim from two sample transcripts."""
    return sample_hits()


class ScriptedLLM:
    """An LLM client that answers one written reply, whole or in deltas, and records the asks."""

    def __init__(self, reply: str) -> None:
        self.reply, self.asked = reply, []

    def complete(self, messages: list[dict[str, str]]) -> str:
        self.asked.append(messages)
        return self.reply

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        self.asked.append(messages)
        yield from (self.reply[i : i + 5] for i in range(0, len(self.reply), 5))


@pytest.mark.parametrize(
    ("raw", "text", "numbers"),
    [
        ("Caching pays [2]. Batching [3][9].", "Caching pays [1]. Batching [2].", [2, 3]),
        (
            "A tenth [1]. <script>alert(1)</script> [9]",
            "A tenth [1]. ‹script›alert(1)‹/script›",
            [1],
        ),
    ],
)
def test_finish_renumbers_and_neutralises(hits, raw: str, text: str, numbers: list[int]):
    answer = finish(raw, hits)
    assert answer.answer.startswith(text)
    assert [c.chunk_id for c in answer.citations] == [hits[n - 1].chunk_id for n in numbers]


def test_finish_cites_the_hits_in_order_of_first_use_and_says_what_it_changed(hits):
    answer = finish("Batching helps [3]. Caching pays [1][7]. It is cheap.", hits)
    assert not answer.refused
    assert answer.mode == "llm"
    assert answer.citations == [Citation.from_hit(1, hits[2]), Citation.from_hit(2, hits[0])]
    assert answer.answer == f"Batching helps [1]. Caching pays [2]. It is cheap {UNCITED}."
    assert answer.notice is not None
    assert "not given: 7" in answer.notice
    assert f"1 sentence(s) cite no source and are marked {UNCITED}" in answer.notice


def test_finish_adds_no_notice_when_nothing_changed(hits):
    assert finish("Caching pays [1].", hits).notice is None


@pytest.mark.parametrize("raw", [REFUSAL, "The talks I have don’t cover this [1].", "[9]", " "])
def test_finish_refuses(hits, raw: str):
    answer = finish(raw, hits)
    assert (answer.refused, answer.answer, answer.citations) == (True, REFUSAL, [])


def test_an_answer_citing_nothing_is_kept_marked_for_verification_to_cite(hits):
    answer = finish("Caching pays [9].", hits)
    assert (answer.refused, answer.citations) == (False, [])
    assert answer.answer == f"Caching pays {UNCITED}."


def test_no_hits_means_no_call():
    llm = ScriptedLLM("Caching pays [1].")
    answer = llm_answer(QUESTION, [], llm)
    assert (answer.refused, answer.answer, answer.citations) == (True, REFUSAL, [])
    assert llm.asked == []


def test_the_model_reads_the_history_then_the_fenced_sources(hits):
    history = [{"role": "user", "content": "Who spoke?"}, {"role": "assistant", "content": "A."}]
    llm = ScriptedLLM("Caching pays [1].")
    answer = llm_answer(QUESTION, hits, llm, history=history)
    assert llm.asked == [build_messages(QUESTION, hits, history)]
    assert llm.asked[0][1:3] == history
    assert answer == finish("Caching pays [1].", hits)


def test_streamed_deltas_are_passed_on_and_checked_whole(hits):
    llm, deltas = ScriptedLLM("Caching pays [2]. Batching [3][9]."), []
    answer = llm_answer(QUESTION, hits, llm, on_delta=deltas.append)
    assert len(deltas) > 1
    assert "".join(deltas) == llm.reply
    assert answer == finish(llm.reply, hits)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_endpoint_down_is_unavailable(hits):
    """The real client against a port nobody listens on: no server needed."""
    pytest.importorskip("openai", reason="openai is not installed (pip install openai)")
    from talkrag.ingest.errors import LLMUnavailable
    from talkrag.rag.llm import LLMClient

    down = LLMClient("gemma3", base_url=f"http://127.0.0.1:{_free_port()}/v1", retries=0)
    with pytest.raises(LLMUnavailable, match="cannot reach"):
        llm_answer(QUESTION, hits, down)
    with pytest.raises(LLMUnavailable, match="cannot reach"):
        llm_answer(QUESTION, hits, down, on_delta=lambda _: None)


def test_an_excerpt_header_marks_an_estimated_moment():
    timed = source_block(1, "Talk", ["Ana Ruiz"], 65.0, "Text.")
    estimated = source_block(1, "Talk", ["Ana Ruiz"], 65.0, "Text.", estimated=True)
    assert timed.splitlines()[0] == "Excerpt 1: Talk — Ana Ruiz (1:05)"
    assert estimated.splitlines()[0] == "Excerpt 1: Talk — Ana Ruiz (~1:05)"
    assert source_block(2, "Talk", [], None, "Text.").splitlines()[0] == "Excerpt 2: Talk"
