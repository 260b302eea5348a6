"""rag.extractive without a model: which sentences answer, how they are cited, when it refuses.

Scores come from a deterministic bag-of-words embedder, or, where a test is about a threshold,
from stored sentence vectors made with an exact similarity to the question (tests/unit/fakes.py).
"""

from __future__ import annotations

import pytest
from talkrag.rag.extractive import (
    MAX_SENTENCES,
    MIN_WORDS,
    PER_HIT,
    REFUSE_BELOW,
    REFUSE_UNKNOWN_TERMS,
    WITHIN_BEST,
    Sentence,
    extractive_answer,
    refusal,
    sentences,
    support,
)
from talkrag.rag.models import Citation
from talkrag.rag.prompts import REFUSAL

from tests.unit.fakes import BagOfWords, hit, vector_at

# A question whose content terms (zebra, quokka) no sentence below contains: with no word
# overlap, a sentence's score is exactly the similarity of its stored vector.
BARE = "Which zebra quokka?"
S1 = "Alpha bravo charlie delta echo foxtrot."
S2 = "Golf hotel india juliet kilo lima."
S3 = "Mike november oscar papa quebec romeo."
S4 = "Sierra tango uniform victor whiskey xray."

CACHING = hit(
    1,
    "Priya Raman: Prompt caching cut the monthly bill by ninety percent.\n"
    "Priya Raman: We moved offices twice that winter for unrelated reasons.",
    speakers=["Priya Raman"],
    talk="prompt-caching",
)
BATCHING = hit(
    2,
    "Continuous batching keeps every slot on the accelerator busy all day long.",
    speakers=["Hannah Lindqvist"],
    talk="gpu-batching",
)


def _scored(*scores: tuple[str, float]) -> dict[str, object]:
    """Stored vectors giving each sentence exactly its score against BARE."""
    return {text: vector_at(score, BARE, slot) for slot, (text, score) in enumerate(scores)}


def test_sentences_keep_who_said_them_and_drop_short_ones_and_questions():
    two = hit(
        1,
        f"Ana Ruiz: {S1} Thanks a lot.\nBen Cole: {S2} Did that work for you?\n{S3}",
        speakers=["Ana Ruiz", "Ben Cole"],
    )
    assert len("Thanks a lot.".split()) < MIN_WORDS
    assert sentences([two]) == [
        Sentence(S1, "Ana Ruiz", 0),
        Sentence(S2, "Ben Cole", 0),
        Sentence(S3, None, 0),  # an unlabelled line in a chunk of two speakers: unknown
    ]
    assert sentences([two], "ben") == [Sentence(S2, "Ben Cole", 0), Sentence(S3, None, 0)]
    assert sentences([hit(1, S1, speakers=["Ana Ruiz"]), hit(2, S2)], "ANA") == [
        Sentence(S1, "Ana Ruiz", 0),  # one speaker: every sentence is theirs
        Sentence(S2, "Ana Ruiz", 1),
    ]


def test_the_matching_sentence_is_quoted_and_cited():
    question = "How much did prompt caching cut the monthly bill?"
    got = extractive_answer(question, [CACHING, BATCHING], BagOfWords())
    assert not got.refused
    assert got.mode == "extractive"
    assert got.answer == "Prompt caching cut the monthly bill by ninety percent. [1]"
    assert got.citations == [Citation.from_hit(1, CACHING, "Priya Raman")]
    assert got.citations[0].speaker == "Priya Raman"
    assert got.citations[0].start == CACHING.start


def test_nothing_close_enough_is_a_refusal():
    got = extractive_answer("Which zebra quokka migrations?", [CACHING, BATCHING], BagOfWords())
    assert got == refusal("extractive")
    assert (got.refused, got.answer, got.citations) == (True, REFUSAL, [])


def test_no_sentence_long_enough_is_a_refusal():
    short = hit(1, "Yes. Prompt caching, exactly. Right?")
    assert support("prompt caching", [short], BagOfWords()) is None
    assert extractive_answer("prompt caching", [short], BagOfWords()).refused


@pytest.mark.parametrize(
    ("score", "unknown_terms", "answers"),
    [
        pytest.param(REFUSE_BELOW + 0.01, False, True, id="above-the-bar"),
        pytest.param(REFUSE_BELOW - 0.01, False, False, id="below-the-bar"),
        pytest.param(REFUSE_BELOW + 0.01, True, False, id="unknown-terms-raise-the-bar"),
        pytest.param(REFUSE_UNKNOWN_TERMS + 0.01, True, True, id="above-the-raised-bar"),
        pytest.param(REFUSE_UNKNOWN_TERMS - 0.01, True, False, id="below-the-raised-bar"),
    ],
)
def test_the_bar_to_answer(score: float, unknown_terms: bool, answers: bool):
    hits = [hit(1, S1)]
    known = _scored((S1, score))
    found = support(BARE, hits, BagOfWords(), None, unknown_terms, known)
    assert (found is not None) == answers
    if found is not None:
        assert found[1].tolist() == pytest.approx([score], abs=1e-5)
    got = extractive_answer(BARE, hits, BagOfWords(), None, unknown_terms, known)
    assert got.refused is not answers


def test_stored_vectors_are_used_and_only_the_rest_embedded():
    embedder = BagOfWords()
    support(BARE, [hit(1, f"{S1} {S2}")], embedder, known=_scored((S1, 0.9)))
    assert embedder.embedded == [BARE, S2]


def test_one_hit_and_speaker_share_a_number_and_speakers_are_cited_apart():
    two = hit(1, f"Ana Ruiz: {S1} {S2}\nBen Cole: {S3}", speakers=["Ana Ruiz", "Ben Cole"])
    other = hit(2, S4, speakers=["Cleo Park"], talk="talk-b")
    known = _scored((S1, 0.90), (S4, 0.89), (S3, 0.88), (S2, 0.87))
    got = extractive_answer(BARE, [two, other], BagOfWords(), known=known)
    assert got.answer == f"{S1} [1] {S4} [2] {S3} [3]"  # best first, at most MAX_SENTENCES
    assert MAX_SENTENCES == 3
    assert got.citations == [
        Citation.from_hit(1, two, "Ana Ruiz"),
        Citation.from_hit(2, other, "Cleo Park"),
        Citation.from_hit(3, two, "Ben Cole"),
    ]
    same = extractive_answer(BARE, [two], BagOfWords(), known=_scored((S1, 0.9), (S2, 0.89)))
    assert same.answer == f"{S1} [1] {S2} [1]"
    assert same.citations == [Citation.from_hit(1, two, "Ana Ruiz")]


def test_later_sentences_must_be_close_to_the_best():
    hits = [hit(1, S1), hit(2, S2, talk="talk-b")]
    near = _scored((S1, 0.9), (S2, 0.9 - WITHIN_BEST + 0.01))
    far = _scored((S1, 0.9), (S2, 0.9 - WITHIN_BEST - 0.01))
    assert extractive_answer(BARE, hits, BagOfWords(), known=near).answer == f"{S1} [1] {S2} [2]"
    assert extractive_answer(BARE, hits, BagOfWords(), known=far).answer == f"{S1} [1]"


def test_at_most_per_hit_sentences_from_one_hit_and_no_repeats():
    one = hit(1, f"{S1} {S2} {S3}")
    again = hit(2, S1, talk="talk-b")  # the same words in another chunk
    known = _scored((S1, 0.9), (S2, 0.89), (S3, 0.88))
    got = extractive_answer(BARE, [one, again], BagOfWords(), known=known)
    assert PER_HIT == 2
    assert got.answer == f"{S1} [1] {S2} [1]"
    assert [c.chunk_id for c in got.citations] == [one.chunk_id]


def test_a_speaker_filter_quotes_only_that_speaker():
    two = hit(1, f"Ana Ruiz: {S1}\nBen Cole: {S2}", speakers=["Ana Ruiz", "Ben Cole"])
    known = _scored((S1, 0.95), (S2, 0.8))
    got = extractive_answer(BARE, [two], BagOfWords(), "cole", known=known)
    assert got.answer == f"{S2} [1]"
    assert got.citations == [Citation.from_hit(1, two, "Ben Cole")]
    assert extractive_answer(BARE, [two], BagOfWords(), "Dana", known=known).refused
