"""Sentence spans, late-chunking pooling and the sentence-vector store (real SQLite)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from talkrag.ingest.sentences import SentenceStore, pool, sentence_spans

TEXT = (
    "Ana Ruiz: We shard by tenant. It keeps load apart!\n"
    "Ben Ode: Why? Because noisy neighbours hurt."
)


def test_spans_follow_turn_labels_and_sentences():
    spans = sentence_spans(TEXT, ["Ana Ruiz", "Ben Ode"])
    got = [(who, TEXT[a:b]) for who, a, b in spans]
    assert got == [
        ("Ana Ruiz", "We shard by tenant."),
        ("Ana Ruiz", "It keeps load apart!"),
        ("Ben Ode", "Why?"),
        ("Ben Ode", "Because noisy neighbours hurt."),
    ]


def test_spans_without_labels_use_the_only_speaker():
    text = "No label here. Second one.\nName: not a speaker, so kept."
    spans = sentence_spans(text, ["Solo"])
    assert [(w, text[a:b]) for w, a, b in spans] == [
        ("Solo", "No label here."),
        ("Solo", "Second one."),
        ("Solo", "Name: not a speaker, so kept."),
    ]


def test_repeated_sentences_get_their_own_spans():
    text = "Yes it is. Yes it is."
    spans = sentence_spans(text, [])
    assert [(a, b) for _, a, b in spans] == [(0, 10), (11, 21)]


def test_pool_means_the_tokens_inside_each_span():
    # tokens: [CLS] "ab" "cd" | "ef" [SEP] ; spans cover tokens 1-2 and 3
    offsets = [(0, 0), (0, 2), (3, 5), (7, 9), (0, 0)]
    states = np.array([[9, 9], [1, 0], [3, 0], [0, 2], [9, 9]], dtype=np.float32)
    spans = [(None, 0, 5), (None, 7, 9), (None, 20, 30)]  # the last holds no token
    kept, vectors = pool(states, offsets, spans)
    assert kept == spans[:2]
    assert np.allclose(vectors, [[1, 0], [0, 1]])


def test_store_round_trip_keep_only_and_clear(tmp_path: Path):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    spans = [(None, 0, 4), (None, 5, 9), (None, 10, 14)]
    store = SentenceStore(tmp_path / "s.sqlite3")
    store.put("a.srt", {"c1": (spans, vectors), "c2": (spans[:1], vectors[:1])})
    store.put("b.srt", {"c3": (spans[:2], vectors[:2])})
    got = store.get(["c1", "c3", "missing"])
    assert set(got) == {"c1", "c3"}
    cosine = (got["c1"].vectors * vectors).sum(axis=1) / np.linalg.norm(got["c1"].vectors, axis=1)
    assert cosine.min() > 0.9999  # int8 with one scale per row
    assert got["c1"].by_text("abcd efgh ijkl").keys() == {"abcd", "efgh", "ijkl"}
    store.keep_only("a.srt", ["c2"])
    assert set(store.get(["c1", "c2", "c3"])) == {"c2", "c3"}
    reader = SentenceStore.open(tmp_path / "s.sqlite3")
    assert reader is not None
    assert set(reader.get(["c2"])) == {"c2"}
    store.clear()
    assert store.get(["c2", "c3"]) == {}


def test_open_without_a_file_is_none(tmp_path: Path):
    assert SentenceStore.open(tmp_path / "absent.sqlite3") is None


@pytest.mark.parametrize("ids", [[], ["x"] * 3])
def test_get_tolerates_empty_and_repeated_ids(tmp_path: Path, ids: list[str]):
    store = SentenceStore(tmp_path / "s.sqlite3")
    assert store.get(ids) == {}
