"""rag.answer without a model or Chroma: retrieval for the condensed question, modes, fallbacks.

A fake retriever (tests/unit/fakes.py) returns hand-built hits and records how it was asked;
the LLM is a scripted client, or one that fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from talkrag.ingest.errors import ConfigError, LLMTimeout, LLMUnavailable
from talkrag.rag.answer import answer
from talkrag.rag.extractive import REFUSE_BELOW, REFUSE_UNKNOWN_TERMS, extractive_answer, refusal
from talkrag.rag.generate import finish
from talkrag.rag.models import Answer, Citation, Filters
from talkrag.rag.prompts import REFUSAL
from talkrag.rag.settings import RagSettings

from tests.unit.fakes import BATCHING, CACHING, CAUGHT, FakeRetriever, hit, unquoted, vector_at

QUESTION = "How much did prompt caching cut the monthly bill?"
BARE = "Which zebra quokka?"  # no sentence below shares a content term with it
PLAIN = "Alpha bravo charlie delta echo foxtrot."


class ScriptedLLM:
    """An LLM client with one reply (or one error), recording every request."""

    def __init__(self, reply: str | Exception = "Caching cut the bill [1].") -> None:
        self.reply, self.asked = reply, []

    def _answer(self, messages: list[dict[str, str]]) -> str:
        self.asked.append(messages)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    def complete(self, messages: list[dict[str, str]]) -> str:
        return self._answer(messages)

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        text = self._answer(messages)
        yield from text.split(" ")[:1]
        yield from (f" {word}" for word in text.split(" ")[1:])


def _bare(got: Answer) -> Answer:
    """The answer without what the question was recognised to name (none of these names any)."""
    assert got.understood is not None
    assert got.understood.model_dump() == {"speakers": [], "companies": [], "talks": []}
    return got.model_copy(update={"understood": None})


def _settings(mode: str = "extractive", k: int = 4) -> RagSettings:
    return RagSettings(mode=mode, k=k)


def _at(score: float) -> FakeRetriever:
    """One hit whose only sentence scores exactly score against BARE."""
    return FakeRetriever([hit(1, PLAIN)], known={PLAIN: vector_at(score, BARE)})


@pytest.mark.parametrize("mode", ["extractive", "llm"])
def test_no_hits_is_a_refusal_without_asking_the_llm(mode: str):
    llm = ScriptedLLM()
    got = answer(QUESTION, FakeRetriever([]), _settings(mode), llm=llm)
    assert _bare(got) == refusal(mode)
    assert (got.refused, got.answer, got.citations, got.mode) == (True, REFUSAL, [], mode)
    assert llm.asked == []


def test_extractive_answer_quotes_and_cites_the_hit():
    retriever = FakeRetriever([CACHING, BATCHING])
    filters = Filters(talk="caching")
    got = answer(QUESTION, retriever, _settings(k=4), filters=filters)
    assert retriever.searches == [(QUESTION, 4, filters)]
    assert got.answer == f"{CAUGHT} [1]"
    assert unquoted(got.citations) == [Citation.from_hit(1, CACHING, "Priya Raman")]
    assert (got.refused, got.mode, got.notice) == (False, "extractive", None)


def test_nothing_close_enough_is_a_refusal():
    got = answer("Which zebra quokka migrations?", FakeRetriever([CACHING, BATCHING]), _settings())
    assert _bare(got) == refusal("extractive")


@pytest.mark.parametrize(
    ("score", "unknown", "refused"),
    [
        (REFUSE_BELOW + 0.01, [], False),
        (REFUSE_BELOW + 0.01, ["quokka"], True),  # a term no talk mentions raises the bar
        (REFUSE_UNKNOWN_TERMS + 0.01, ["quokka"], False),
        (REFUSE_BELOW - 0.01, [], True),
    ],
)
def test_unknown_terms_raise_the_bar(score: float, unknown: list[str], refused: bool):
    retriever = _at(score)
    retriever.unknown = unknown
    got = answer(BARE, retriever, _settings())
    assert got.refused is refused
    assert retriever.checked == [BARE]
    assert retriever.embedder.embedded == [BARE]  # the stored sentence vector was used


def test_a_speaker_filter_quotes_only_that_speaker():
    two = hit(
        1,
        f"Ana Ruiz: {CAUGHT}\nBen Cole: Prompt caching cut our storage bill by ten percent.",
        speakers=["Ana Ruiz", "Ben Cole"],
    )
    retriever = FakeRetriever([two])
    filters = Filters(speaker="ben")
    got = answer(QUESTION, retriever, _settings(), filters=filters)
    assert retriever.searches[0][2] == filters
    assert got.answer == "Prompt caching cut our storage bill by ten percent. [1]"
    assert [c.speaker for c in got.citations] == ["Ben Cole"]


def test_a_follow_up_is_searched_with_the_question_it_leans_on():
    history = [
        {"role": "user", "content": "What did Priya say about prompt caching?"},
        {"role": "assistant", "content": "Something about offices and winter."},
    ]
    retriever = FakeRetriever([CACHING])
    answer("And the bill?", retriever, _settings(), history=history)
    standalone = "What did Priya say about prompt caching? And the bill?"
    assert retriever.searches[0][0] == standalone  # the assistant's words are not folded in
    assert retriever.checked == [standalone]
    assert retriever.embedder.embedded[0] == standalone


def test_a_self_contained_follow_up_is_searched_as_asked():
    history = [{"role": "user", "content": "What did Priya say about prompt caching?"}]
    question = "Which accelerator scheduling trick keeps every slot busy all day long?"
    retriever = FakeRetriever([BATCHING])
    answer(question, retriever, _settings(), history=history)
    assert retriever.searches[0][0] == question


def test_llm_mode_gives_the_model_the_question_and_history_and_checks_its_answer():
    history = [
        {"role": "user", "content": "What did Priya say about prompt caching?"},
        {"role": "assistant", "content": "That it pays [1]."},
    ]
    retriever, llm = (
        FakeRetriever([CACHING, BATCHING]),
        ScriptedLLM("It cut the monthly bill by ninety percent [2][7]."),
    )
    got = answer("And the bill?", retriever, _settings("llm"), history=history, llm=llm)
    assert retriever.searches[0][0] == "What did Priya say about prompt caching? And the bill?"
    (asked,) = llm.asked
    assert asked[1:3] == history  # the model reads the conversation itself
    assert "Question: And the bill?" in asked[-1]["content"]
    # [7] was never given, and [2] (batching) says nothing of a bill: verification cites the
    # sentence to the passage that says it instead.
    assert got.answer == "It cut the monthly bill by ninety percent [1]."
    assert unquoted(got.citations) == [Citation.from_hit(1, CACHING)]
    assert got.notice == (
        "removed citations of sources that were not given: 7; "
        "1 sentence(s) cited again, to the passage that supports them"
    )
    assert [(s.text, s.citations, s.supported) for s in got.sentences] == [
        ("It cut the monthly bill by ninety percent", [1], True)
    ]
    assert got.mode == "llm"


def test_an_llm_answer_citing_nothing_is_cited_to_the_passage_that_says_it():
    llm = ScriptedLLM("Prompt caching cut the monthly bill by ninety percent.")
    got = answer(QUESTION, FakeRetriever([BATCHING, CACHING]), _settings("llm"), llm=llm)
    assert got.answer == "Prompt caching cut the monthly bill by ninety percent [1]."
    assert unquoted(got.citations) == [Citation.from_hit(1, CACHING)]
    assert [s.supported for s in got.sentences] == [True]


def test_llm_mode_streams_the_deltas():
    llm, deltas = ScriptedLLM("Caching cut the bill by ninety percent [1]."), []
    got = answer(
        QUESTION, FakeRetriever([CACHING]), _settings("llm"), llm=llm, on_delta=deltas.append
    )
    assert "".join(deltas) == "Caching cut the bill by ninety percent [1]."
    assert len(deltas) > 1
    verified = _bare(got)
    assert verified.model_copy(update={"sentences": []}) == finish(
        "Caching cut the bill by ninety percent [1].", [CACHING]
    )
    assert [(s.citations, s.supported) for s in verified.sentences] == [([1], True)]


@pytest.mark.parametrize("error", [LLMUnavailable("endpoint down"), LLMTimeout("too slow")])
def test_a_failing_llm_falls_back_to_the_extractive_answer_with_a_notice(error: Exception):
    retriever, llm = FakeRetriever([CACHING, BATCHING]), ScriptedLLM(error)
    got = answer(QUESTION, retriever, _settings("llm"), llm=llm)
    assert len(llm.asked) == 1
    expected = extractive_answer(QUESTION, [CACHING, BATCHING], retriever.embedder)
    assert (got.answer, got.citations, got.refused) == (expected.answer, expected.citations, False)
    assert got.mode == "extractive"
    assert got.notice == f"the LLM failed ({error}); this is the extractive answer instead"


def test_a_failing_llm_and_no_support_is_a_refusal_with_the_notice():
    llm = ScriptedLLM(LLMUnavailable("endpoint down"))
    got = answer(
        "Which zebra quokka migrations?", FakeRetriever([CACHING]), _settings("llm"), llm=llm
    )
    assert (got.refused, got.answer, got.citations) == (True, REFUSAL, [])
    assert got.notice is not None
    assert "endpoint down" in got.notice


def test_unknown_terms_without_support_refuse_before_asking_the_llm():
    retriever, llm = _at(REFUSE_UNKNOWN_TERMS - 0.01), ScriptedLLM()
    retriever.unknown = ["quokka"]
    got = answer(BARE, retriever, _settings("llm"), llm=llm)
    assert _bare(got) == refusal("llm")
    assert llm.asked == []


@pytest.mark.parametrize(
    ("score", "unknown"),
    [
        pytest.param(REFUSE_UNKNOWN_TERMS + 0.01, ["quokka"], id="unknown-terms-with-support"),
        pytest.param(REFUSE_BELOW - 0.01, [], id="no-support-but-all-terms-known"),
    ],
)
def test_otherwise_the_llm_is_asked(score: float, unknown: list[str]):
    retriever, llm = _at(score), ScriptedLLM("Alpha bravo charlie delta echo foxtrot [1].")
    retriever.unknown = unknown
    got = answer(BARE, retriever, _settings("llm"), llm=llm)
    assert len(llm.asked) == 1
    assert got.answer == "Alpha bravo charlie delta echo foxtrot [1]."


def test_llm_mode_without_an_endpoint_is_a_config_error():
    with pytest.raises(ConfigError, match="OPENAI_BASE_URL"):
        answer(QUESTION, FakeRetriever([CACHING]), _settings("llm"))
