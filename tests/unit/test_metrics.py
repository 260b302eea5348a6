"""Ranking metrics: hand-checked cases, and agreement with ir-measures (trec_eval)."""

from __future__ import annotations

import math
import random

import pytest
from talkrag.evals.metrics import dedupe, mean_scores, score_ranking


def test_duplicates_are_removed_before_scoring():
    scores = score_ranking(["a", "a", "a", "b"], {"a", "b"})
    assert scores["recall@3"] == 1.0  # b moves up to rank 2 once the repeats of a are gone
    assert dedupe(["x", "y", "x"]) == ["x", "y"]


def test_hand_checked_values():
    scores = score_ranking(["x", "g1", "y", "g2"], {"g1", "g2", "g3"})
    assert scores["hit@1"] == 0.0
    assert scores["hit@3"] == 1.0
    assert scores["recall@5"] == pytest.approx(2 / 3)
    assert scores["mrr@10"] == 0.5
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert scores["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)


def test_nothing_relevant_found_scores_zero():
    scores = score_ranking(["a", "b"], {"z"})
    assert scores["mrr@10"] == scores["ndcg@10"] == scores["hit@10"] == 0.0


def test_mean_scores_averages_each_metric():
    assert mean_scores([{"m": 1.0}, {"m": 0.0}, {"m": 0.5}]) == {"m": 0.5}


def test_agrees_with_ir_measures():
    ir_measures = pytest.importorskip("ir_measures", reason="pip install ir-measures (dev extra)")
    rng = random.Random(7)
    docs = [f"d{i}" for i in range(30)]
    qrels, run, ours = [], [], []
    for q in range(40):
        qid = f"q{q}"
        relevant = set(rng.sample(docs, rng.randint(1, 4)))
        ranking = rng.sample(docs, rng.randint(3, 15))
        qrels += [ir_measures.Qrel(qid, d, 1) for d in relevant]
        run += [ir_measures.ScoredDoc(qid, d, 100.0 - i) for i, d in enumerate(ranking)]
        ours.append(score_ranking(ranking, relevant))
    want = ir_measures.calc_aggregate(
        [
            ir_measures.nDCG @ 10,
            ir_measures.RR @ 10,
            ir_measures.R @ 5,
            ir_measures.R @ 10,
            ir_measures.Success @ 1,
            ir_measures.Success @ 5,
        ],
        qrels,
        run,
    )
    got = mean_scores(ours)
    assert got["ndcg@10"] == pytest.approx(want[ir_measures.nDCG @ 10], abs=1e-4)
    assert got["mrr@10"] == pytest.approx(want[ir_measures.RR @ 10], abs=1e-4)
    assert got["recall@5"] == pytest.approx(want[ir_measures.R @ 5], abs=1e-4)
    assert got["recall@10"] == pytest.approx(want[ir_measures.R @ 10], abs=1e-4)
    assert got["hit@1"] == pytest.approx(want[ir_measures.Success @ 1], abs=1e-4)
    assert got["hit@5"] == pytest.approx(want[ir_measures.Success @ 5], abs=1e-4)
