"""rag.faithful: every sentence verified against what it cites; kept, cited again, or dropped.

The verifier is the real OfflineVerifier over a deterministic bag-of-words embedder
(tests/unit/fakes.py), so what is tested is the logic around it, on written answers.
"""

from __future__ import annotations

import pytest
from talkrag.rag.faithful import COPIED, UNSUPPORTED, verify_answer
from talkrag.rag.models import Answer, Citation
from talkrag.rag.prompts import REFUSAL
from talkrag.rag.verify import OfflineVerifier

from tests.unit.fakes import BATCHING, CACHING, CAUGHT, BagOfWords

HITS = [CACHING, BATCHING]
QUESTION = "What did the talks say about prompt caching and batching?"


def _llm(text: str, cited: list[int], notice: str | None = None) -> Answer:
    """An LLM answer citing the hits numbered as given (1: caching, 2: batching)."""
    citations = [Citation.from_hit(i, HITS[n - 1]) for i, n in enumerate(cited, start=1)]
    return Answer(answer=text, refused=False, citations=citations, mode="llm", notice=notice)


def _verify(result: Answer) -> tuple[Answer, BagOfWords]:
    embedder = BagOfWords()
    return verify_answer(result, HITS, OfflineVerifier(embedder), QUESTION), embedder


def test_supported_sentences_are_kept_as_written_with_their_verdicts():
    text = "Caching cut the monthly bill by ninety percent [1]. Batching keeps slots busy [2]."
    got, _ = _verify(_llm(text, [1, 2]))
    assert (got.answer, got.notice, got.refused) == (text, None, False)
    assert [c.chunk_id for c in got.citations] == [CACHING.chunk_id, BATCHING.chunk_id]
    assert [(s.text, s.citations, s.supported) for s in got.sentences] == [
        ("Caching cut the monthly bill by ninety percent", [1], True),
        ("Batching keeps slots busy", [2], True),
    ]
    assert all(0 < s.score <= 1 for s in got.sentences)


def test_a_sentence_citing_the_wrong_passage_is_cited_to_the_one_that_says_it():
    got, _ = _verify(_llm("Continuous batching keeps every slot busy [1].", [1]))
    assert got.answer == "Continuous batching keeps every slot busy [1]."
    assert [c.chunk_id for c in got.citations] == [BATCHING.chunk_id]
    assert got.notice == "1 sentence(s) cited again, to the passage that supports them"


def test_an_unsupported_sentence_is_dropped_and_the_citations_renumbered():
    text = "The speaker moved offices to Lisbon in 2019 [1]. Batching keeps slots busy [2]."
    got, _ = _verify(_llm(text, [1, 2]))
    assert got.answer == "Batching keeps slots busy [1]."
    assert [(c.n, c.chunk_id) for c in got.citations] == [(1, BATCHING.chunk_id)]
    assert got.notice == "1 sentence(s) dropped: no given passage supports them"
    assert [s.citations for s in got.sentences] == [[1]]


def test_an_uncited_sentence_gets_the_passage_that_supports_it_and_its_mark_goes():
    text = "Batching keeps slots busy [1]. Caching cut the monthly bill [uncited]."
    notice = "1 sentence(s) cite no source and are marked [uncited]"
    got, _ = _verify(_llm(text, [2], notice))
    assert got.answer == "Batching keeps slots busy [1]. Caching cut the monthly bill [2]."
    assert [c.chunk_id for c in got.citations] == [BATCHING.chunk_id, CACHING.chunk_id]
    assert got.notice == "1 sentence(s) cited again, to the passage that supports them"


def test_an_answer_with_no_supported_sentence_is_a_refusal_saying_why():
    got, _ = _verify(_llm("Zebras migrate to Lisbon every winter in 2019 [1].", [1]))
    assert (got.refused, got.answer, got.citations, got.sentences) == (True, REFUSAL, [], [])
    assert got.notice is not None
    assert UNSUPPORTED in got.notice


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("[1][2]", "only citation markers"),
        ('[1] Source n="2" talk="Gpu Batching" speaker="Hannah Lindqvist"', "markup"),
        ("What did the talks say about prompt caching and batching? [1]", "restated"),
    ],
)
def test_a_hollow_answer_is_a_refusal_saying_why(raw: str, why: str):
    got, embedder = _verify(_llm(raw, [1, 2]))
    assert (got.refused, got.answer) == (True, REFUSAL)
    assert got.notice is not None
    assert why in got.notice
    assert embedder.embedded == []  # told from the text alone


def test_extractive_quotes_are_verified_without_embedding_anything():
    citation = Citation.from_hit(1, CACHING, "Priya Raman")
    quoted = Answer(answer=f"{CAUGHT} [1]", refused=False, citations=[citation], mode="extractive")
    got, embedder = _verify(quoted)
    assert got.answer == quoted.answer
    assert [(s.supported, s.score) for s in got.sentences] == [(True, 1.0)]
    assert embedder.embedded == []


def test_a_refusal_is_left_as_it_is():
    refused = Answer(answer=REFUSAL, refused=True, citations=[], mode="llm")
    assert _verify(refused)[0] == refused


def test_a_passage_that_lacks_the_claims_numbers_is_ruled_out_without_embedding():
    embedder = BagOfWords()
    verdict = OfflineVerifier(embedder).verify(
        "Batching tripled throughput in 2019.", [BATCHING.text]
    )
    assert not verdict.supported
    assert any("numbers not in evidence: 2019" in c for c in verdict.checks)
    assert embedder.embedded == []


def test_an_llm_answer_that_pastes_its_sources_back_is_a_refusal():
    pasted = (
        "Prompt caching cut the monthly bill by ninety percent [1]. We moved offices twice "
        "that winter for other reasons [1]. Continuous batching keeps every slot on the "
        "accelerator busy all day long [2]."
    )
    got, _ = _verify(_llm(pasted, [1, 2]))
    assert (got.refused, got.answer) == (True, REFUSAL)
    assert got.notice == f"{COPIED}, so it is not shown"


def test_quoting_is_fine_in_an_answer_that_also_says_things_in_its_own_words():
    text = (
        "Prompt caching cut the monthly bill by ninety percent [1]. Batching keeps slots busy [2]."
    )
    got, _ = _verify(_llm(text, [1, 2]))
    assert not got.refused
