"""Pure retrieval logic: reciprocal rank fusion and follow-up condensation."""

from __future__ import annotations

from talkrag.rag.chat import condense
from talkrag.rag.fuse import RRF_K, rrf


def test_rrf_rewards_agreement_and_breaks_ties_by_id():
    fused = rrf([["a", "b", "c"], ["c", "b", "d"]])
    assert [item for item, _ in fused] == ["c", "b", "a", "d"]
    assert fused[0][1] == 1 / (RRF_K + 1) + 1 / (RRF_K + 3)
    assert [i for i, _ in rrf([["y"], ["x"]])] == ["x", "y"]  # equal scores: by id


def test_rrf_weights_let_one_ranking_lead():
    fused = rrf([["a", "b"], ["b", "a"]], k=10, weights=(1.0, 2.0))
    assert [item for item, _ in fused] == ["b", "a"]
    assert fused[0][1] == 1 / 12 + 2 / 11


def test_rrf_of_nothing_is_nothing():
    assert rrf([[], []]) == []


def test_condense_leans_on_the_last_question_only_when_the_follow_up_refers_back():
    before = ["How do teams shard a vector database?"]
    assert condense("Why?", before) == "How do teams shard a vector database? Why?"
    assert condense("What did they measure about it?", before).startswith("How do teams")
    standalone = "Which talks compared prompt caching prices across providers in detail?"
    assert condense(standalone, before) == standalone
    assert condense("Why?", []) == "Why?"


def test_standalone_keeps_the_topic_across_several_follow_ups():
    from talkrag.rag.chat import standalone

    asked = ["Tell me about sharding the vector database", "why?"]
    assert "sharding" in standalone("and the cost?", asked)
    assert standalone("Which talks covered prompt caching prices in detail?", asked) == (
        "Which talks covered prompt caching prices in detail?"
    )
