"""Clustering, memberships and naming of themes: pure numpy and BM25 over made-up texts."""

from __future__ import annotations

import numpy as np
import pytest
from talkrag.rag.lexical import bm25_over
from talkrag.rag.theme_terms import (
    distinct_words,
    distinctive,
    surface_forms,
    terms_name,
    theme_name,
    theme_track,
)
from talkrag.rag.themes import (
    cluster,
    memberships,
    nearest,
    order_by_size,
    talk_weights,
    theme_talks,
)


def _blobs(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Three tight groups of unit vectors around three directions, shuffled."""
    rng = np.random.default_rng(seed)
    centres = np.eye(3, 8)
    truth = np.repeat(np.arange(3), [30, 20, 10])
    x = centres[truth] + rng.normal(0, 0.05, (60, 8))
    order = rng.permutation(60)
    x = x[order] / np.linalg.norm(x[order], axis=1, keepdims=True)
    return x.astype(np.float32), truth[order]


def test_cluster_recovers_groups_and_is_the_same_every_run():
    x, truth = _blobs()
    labels, centres = cluster(x, np.ones(len(x)), 3)
    for group in range(3):  # each true group is one cluster
        assert len(set(labels[truth == group])) == 1
    assert len(set(labels)) == 3
    again, _ = cluster(x, np.ones(len(x)), 3)
    assert np.array_equal(labels, again)
    assert np.allclose(np.linalg.norm(centres, axis=1), 1.0)
    assert np.array_equal(nearest(x, centres), labels)


def test_each_talk_weighs_the_same_however_long():
    weights = talk_weights(["a", "a", "a", "b"])
    assert weights.tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 1.0])


def test_a_talk_belongs_to_its_largest_theme_and_to_any_with_a_quarter_of_it():
    talks = ["a"] * 6 + ["b"] * 4 + ["c"] * 2
    labels = np.array([0, 0, 0, 0, 1, 2, 1, 1, 1, 0, 2, 2])
    shares = memberships(talks, labels, 3)
    assert shares["a"].tolist() == pytest.approx([4 / 6, 1 / 6, 1 / 6])
    assert theme_talks(shares, 0) == [("a", pytest.approx(4 / 6)), ("b", 0.25)]
    assert [t for t, _ in theme_talks(shares, 2)] == ["c"]  # a's sixth is not enough
    assert order_by_size(shares, 3) == [0, 1, 2]  # a's theme, b's, c's: ties by number


def test_distinctive_terms_are_each_themes_own_and_said_in_several_talks():
    texts = [
        "judges score the evals and evals catch regressions",
        "offline evals with judges and a golden dataset",
        "latency of voice agents and speech turn taking",
        "voice latency budget for speech models",
        "evals judges latency voice yeah really",  # shared words weigh little anywhere
    ]
    lexical = bm25_over(texts)
    rows = np.arange(5)
    labels = np.array([0, 0, 1, 1, 0])
    talks = ["t1", "t2", "t3", "t4", "t5"]
    terms = distinctive(lexical, rows, labels, talks, 2, names=["Ann Judges"])
    shown = surface_forms(texts, {t for ts in terms for t in ts}, lexical.stemmer)
    first = [shown[t] for t in terms[0]]
    second = [shown[t] for t in terms[1]]
    assert first[0] == "evals"
    assert "judges" not in first  # a speaker's name is no theme
    assert {"voice", "latency", "speech"} <= set(second)
    assert "dataset" not in first  # said in one talk only
    assert not {"yeah", "really"} & set(first + second)


def test_themes_are_named_after_a_subject_track_most_of_their_talks_share():
    scheduled = ["Evals", "Evals", "Evals", "Voice", None]
    assert theme_track(scheduled, set()) == "Evals"
    assert theme_track(["Evals", "Evals", "Evals"], {"Evals"}) is None  # a larger theme has it
    assert theme_track(["Track 2", "Track 2", "Track 2"], set()) is None  # a room, not a subject
    assert theme_track(["Evals", "Evals", "Voice", "Infra", "Graphs", "Local"], set()) is None
    assert theme_name("Evals", scheduled, ["judges"]) == "Evals"
    mostly_unscheduled = scheduled + [None] * 10  # 3 of 15 talks: the track does not name it
    assert theme_name("Evals", mostly_unscheduled, ["judges", "evals"]) == "Judges and evals"
    assert distinct_words(["GPU", "GPUs", "gpu", "cloud"]) == ["GPU", "cloud"]
    assert terms_name(["agents", "tools", "MCP"]) == "Agents, tools and MCP"
    assert terms_name(["voice"]) == "Voice"
    assert terms_name([]) == "Other talks"


def test_an_openings_cluster_is_set_aside_and_the_themes_found_without_it():
    from talkrag.rag.themes import Space, find_themes

    x, truth = _blobs()
    talks = [f"t{i % 12}" for i in range(len(x))]
    edges = truth == 2  # the third group: every passage a talk's first or last
    space = Space(np.arange(len(x)), x, talks, None, edges)
    labels, centres = find_themes(space, 3)
    assert (labels[edges] == -1).all()  # greetings and thanks are no theme
    assert (labels[~edges] >= 0).all()
    assert len(set(labels[~edges])) == 3  # the themes found again, among the real groups
    assert not set(labels[truth == 0]) & set(labels[truth == 1])
    assert centres.shape == (3, 8)
    shares = memberships(talks, labels, 3)
    assert all(abs(s.sum() - 1) < 1e-9 for s in shares.values())
