"""rag.extractive without a model: which sentences answer, how they are cited, when it refuses.

Scores come from a deterministic bag-of-words embedder, or, where a test is about a threshold,
from stored sentence vectors made with an exact similarity to the question (tests/unit/fakes.py).
"""

from __future__ import annotations

import pytest
from talkrag.rag.extractive import (
    CONTINUE_ABOVE,
    MAX_SPANS,
    MIN_WORDS,
    MULTI,
    RANK_WEIGHT,
    REFUSE_BELOW,
    REFUSE_UNKNOWN_TERMS,
    SPAN,
    WITHIN_BEST,
    Sentence,
    extractive_answer,
    refusal,
    sentences,
    support,
)
from talkrag.rag.models import Citation
from talkrag.rag.prompts import REFUSAL

from tests.unit.fakes import BATCHING, CACHING, BagOfWords, hit, unquoted, vector_at

# A question whose content terms (zebra, quokka) no sentence below contains: with no word
# overlap, a sentence's score is exactly the similarity of its stored vector.
BARE = "Which zebra quokka?"
S1 = "Alpha bravo charlie delta echo foxtrot."
S2 = "Golf hotel india juliet kilo lima."
S3 = "Mike november oscar papa quebec romeo."
S4 = "Sierra tango uniform victor whiskey xray."


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
        Sentence(S1, "Ana Ruiz", 0, 0),
        Sentence(S2, "Ben Cole", 0, 2),
        Sentence(S3, None, 0, 4),  # an unlabelled line in a chunk of two speakers: unknown
    ]
    assert sentences([two], "ben") == [Sentence(S2, "Ben Cole", 0, 2), Sentence(S3, None, 0, 4)]
    assert sentences([hit(1, S1, speakers=["Ana Ruiz"]), hit(2, S2)], "ANA") == [
        Sentence(S1, "Ana Ruiz", 0),  # one speaker: every sentence is theirs
        Sentence(S2, "Ana Ruiz", 1),
    ]


def test_the_matching_sentence_is_quoted_and_cited():
    question = "How much did prompt caching cut the monthly bill?"
    got = extractive_answer(question, [CACHING, BATCHING], BagOfWords())
    assert not got.refused
    assert got.mode == "extractive"
    # the next sentence is the same speaker's but about nothing asked: the span ends there
    assert got.answer == "Prompt caching cut the monthly bill by ninety percent. [1]"
    assert unquoted(got.citations) == [Citation.from_hit(1, CACHING, "Priya Raman")]
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


def test_the_span_continues_the_best_sentence_until_the_speaker_changes():
    two = hit(1, f"Ana Ruiz: {S1} {S2}\nBen Cole: {S3}", speakers=["Ana Ruiz", "Ben Cole"])
    other = hit(2, S4, speakers=["Cleo Park"], talk="talk-b")
    known = _scored((S1, 0.90), (S4, 0.89), (S3, 0.70), (S2, CONTINUE_ABOVE + 0.01))
    got = extractive_answer(BARE, [two, other], BagOfWords(), known=known)
    # S2 continues S1 (same speaker, right after it, still on the question); Ben's S3 is another
    # speaker's, so the span ends; S4 is the second span; MAX_SPANS spans in all.
    assert got.answer == f"{S1} [1] {S2} [1] {S4} [2]"
    assert MAX_SPANS == 2
    assert unquoted(got.citations) == [
        Citation.from_hit(1, two, "Ana Ruiz"),
        Citation.from_hit(2, other, "Cleo Park"),
    ]


def test_a_span_is_at_most_span_sentences_and_skips_filler_and_short_asides():
    long = hit(1, f"{S1} Right. {S2} Thank you all so much for being here today. {S3} {S4}")
    known = _scored((S1, 0.9), (S2, 0.5), (S3, 0.5), (S4, 0.5))
    got = extractive_answer(BARE, [long], BagOfWords(), known=known)
    assert SPAN == 3
    assert got.answer == f"{S1} [1] {S2} [1] {S3} [1]"


def test_a_span_ends_at_a_sentence_about_nothing_asked():
    hits = [hit(1, f"{S1} {S2} {S3}")]
    known = _scored((S1, 0.9), (S2, CONTINUE_ABOVE - 0.01), (S3, 0.5))
    assert extractive_answer(BARE, hits, BagOfWords(), known=known).answer == f"{S1} [1]"


def test_a_span_stops_at_a_question():
    asked = hit(1, f"{S1} But why would anyone do that to a database? {S2}")
    got = extractive_answer(BARE, [asked], BagOfWords(), known=_scored((S1, 0.9)))
    assert got.answer == f"{S1} [1]"


def test_later_sentences_must_be_close_to_the_best():
    hits = [hit(1, S1), hit(2, S2, talk="talk-b")]
    best = 0.9 + RANK_WEIGHT  # S1 is in the first-ranked hit, S2 in the last
    near = _scored((S1, 0.9), (S2, best - WITHIN_BEST + 0.01))
    far = _scored((S1, 0.9), (S2, best - WITHIN_BEST - 0.01))
    assert extractive_answer(BARE, hits, BagOfWords(), known=near).answer == f"{S1} [1] {S2} [2]"
    assert extractive_answer(BARE, hits, BagOfWords(), known=far).answer == f"{S1} [1]"


def test_of_two_sentences_as_close_the_higher_ranked_hits_comes_first():
    hits = [hit(1, S1), hit(2, S2, talk="talk-b"), hit(3, S3, talk="talk-c")]
    known = _scored((S1, 0.80), (S2, 0.80), (S3, 0.80 + RANK_WEIGHT + 0.01))
    got = extractive_answer(BARE, hits, BagOfWords(), known=known)
    # S3 is closer by more than the prior of S1's first-ranked hit over its last-ranked one
    assert got.answer == f"{S3} [1] {S1} [2]"
    assert [c.chunk_id for c in got.citations] == [hits[2].chunk_id, hits[0].chunk_id]


def test_the_same_words_in_another_chunk_are_not_quoted_twice():
    one = hit(1, f"{S1} {S2} {S3}")
    again = hit(2, S1, talk="talk-b")  # the same words in another chunk
    known = _scored((S1, 0.9), (S2, 0.89), (S3, 0.88))
    got = extractive_answer(BARE, [one, again], BagOfWords(), known=known)
    assert got.answer == f"{S1} [1] {S2} [1] {S3} [1]"
    assert [c.chunk_id for c in got.citations] == [one.chunk_id]


def _scored_for(question: str, *scores: tuple[str, float]) -> dict[str, object]:
    """Stored vectors giving each sentence exactly its score against a question."""
    return {text: vector_at(score, question, slot) for slot, (text, score) in enumerate(scores)}


def test_a_question_about_several_talks_gets_a_span_from_each():
    talks = [hit(i + 1, text, talk=f"talk-{i}") for i, text in enumerate((S1, S2, S3, S4))]
    scores = ((S1, 0.9), (S2, 0.85), (S3, 0.8), (S4, 0.6))
    plain = extractive_answer(BARE, talks, BagOfWords(), known=_scored(*scores))
    assert plain.answer == f"{S1} [1] {S2} [2]"  # S3 and S4 are not near the best
    several = f"Which speakers said {BARE}"
    got = extractive_answer(several, talks, BagOfWords(), known=_scored_for(several, *scores))
    assert MULTI >= 3
    assert got.answer == f"{S1} [1] {S2} [2] {S3} [3]"  # S4 is past WITHIN_BEST_MULTI


def test_a_question_asking_for_a_number_is_answered_only_with_one():
    numbered = "The cache held forty thousand prompts every single day."
    hits = [hit(1, S1), hit(2, numbered, talk="talk-b")]
    scores = ((S1, 0.9), (numbered, 0.6))
    assert extractive_answer(BARE, hits, BagOfWords(), known=_scored(*scores)).answer == f"{S1} [1]"
    how_many = f"How many {BARE}"
    known = _scored_for(how_many, *scores)
    assert extractive_answer(how_many, hits, BagOfWords(), known=known).answer == f"{numbered} [1]"
    assert extractive_answer(how_many, [hit(1, S1)], BagOfWords(), known=known).refused


def test_the_named_speakers_words_are_preferred_where_turns_are_labelled():
    two = hit(1, f"Ana Ruiz: {S1}\nBen Cole: {S2}", speakers=["Ana Ruiz", "Ben Cole"])
    known = _scored((S1, 0.95), (S2, 0.8))
    got = extractive_answer(BARE, [two], BagOfWords(), known=known, prefer=("Ben Cole",))
    assert got.answer == f"{S2} [1]"  # Ana's better sentence is never given as Ben's
    assert got.citations[0].speaker == "Ben Cole"
    nobody = extractive_answer(BARE, [two], BagOfWords(), known=known, prefer=("Dana Wu",))
    assert nobody.answer.startswith(S1)  # no labelled turn of theirs: a prior, not a filter


def test_a_speaker_filter_quotes_only_that_speaker():
    two = hit(1, f"Ana Ruiz: {S1}\nBen Cole: {S2}", speakers=["Ana Ruiz", "Ben Cole"])
    known = _scored((S1, 0.95), (S2, 0.8))
    got = extractive_answer(BARE, [two], BagOfWords(), "cole", known=known)
    assert got.answer == f"{S2} [1]"
    assert unquoted(got.citations) == [Citation.from_hit(1, two, "Ben Cole")]
    assert extractive_answer(BARE, [two], BagOfWords(), "Dana", known=known).refused
