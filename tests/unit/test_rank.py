"""Ranking details: the per-talk cap counts passages, and BM25 ignores a question's framing."""

from __future__ import annotations

from talkrag.ingest.store import stored_chunk
from talkrag.rag.lexical import LexicalIndex, bm25_over
from talkrag.rag.retrieve import PER_TALK, _diverse


def _chunk(talk: str, position: int, score: float):
    meta = {"talk_id": talk, "source": f"{talk}.md", "position": position}
    return stored_chunk(f"{talk}-{position}", f"{talk} chunk {position}", meta), score


def _picked(chunks, k=5) -> list[str]:
    return [c.id for c, _ in _diverse(chunks, k)]


def test_adjacent_chunks_of_a_talk_are_one_passage_under_the_cap():
    run = [_chunk("a", p, 0.9 - p / 100) for p in range(PER_TALK + 1)]
    other = _chunk("b", 0, 0.1)
    assert _picked([*run, other]) == [c.id for c, _ in run] + ["b-0"]


def test_a_talks_passages_beyond_the_cap_wait_for_other_talks():
    scattered = [_chunk("a", 10 * p, 0.9 - p / 100) for p in range(PER_TALK + 1)]
    other = _chunk("b", 0, 0.1)
    picked = _picked([*scattered, other])
    assert picked[:PER_TALK] == [c.id for c, _ in scattered[:PER_TALK]]
    assert picked[PER_TALK:] == ["b-0", scattered[PER_TALK][0].id]


def test_diverse_keeps_the_scores_and_fills_k_from_one_talk_when_alone():
    scattered = [_chunk("a", 10 * p, 0.5) for p in range(PER_TALK + 2)]
    picked = _diverse(scattered, PER_TALK + 2)
    assert [c.id for c, _ in picked] == [c.id for c, _ in scattered]
    assert all(abs(score - 0.5) < 1e-9 for _, score in picked)


def _index(texts: list[str]) -> LexicalIndex:
    return bm25_over(texts)


def test_bm25_matches_the_subject_not_the_questions_framing():
    index = _index(
        [
            "How did it go? What did you do, how could you, why would you?",
            "We shard the vector index by tenant.",
            "Latency budgets for retrieval.",
        ]
    )
    assert [row for row, _ in index.search("How did they shard the index?", 5)] == [1]


def test_a_question_of_framing_words_only_still_searches():
    index = _index(["How did it go? What did you do?", "We shard by tenant.", "Latency."])
    assert [row for row, _ in index.search("How did it go?", 5)] == [0]
