"""Sentence vectors pooled at ingest: stored for every chunk, kept in step, used by answers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tests.integration.indexes import write_library

pytestmark = pytest.mark.slow

QUESTION = "How many milliseconds did caching take compared with agents?"


def _settings(db: Path):
    from talkrag.rag.settings import RagSettings

    return RagSettings(db=db)


def _ingest(db: Path, library: Path, prune: bool = False):
    from talkrag.ingest.index import run_ingest

    report = run_ingest(_settings(db), [library], [], prune=prune)
    assert not report.failed
    return report


def _rows(db: Path) -> set[str]:
    with sqlite3.connect(db / "sentences-talkrag.sqlite3") as conn:
        return {r[0] for r in conn.execute("SELECT chunk_id FROM sentences")}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    write_library(tmp_path / "lib", n_files=3)
    return tmp_path / "lib"


def test_every_chunk_gets_a_vector_per_sentence(tmp_path: Path, library: Path, embedder):
    from talkrag.ingest.index import open_index
    from talkrag.ingest.sentences import sentence_spans

    db = tmp_path / "db"
    _ingest(db, library)
    index = open_index(_settings(db), create=False)
    ids, texts, metas = index.store.rows()
    stored = index.sentences.get(ids)
    assert set(stored) == set(ids)
    for cid, text, meta in zip(ids, texts, metas, strict=True):
        spans = sentence_spans(text, meta.get("speakers") or [])
        by_text = stored[cid].by_text(text)
        assert set(by_text) == {text[a:b] for _, a, b in spans}
    # Contextual vectors still stand for their own sentence: close to its standalone
    # embedding (these synthetic sentences are too alike to tell apart; see the next test).
    by_text = stored[ids[0]].by_text(texts[0])
    sentences = list(by_text)
    alone = embedder.embed(sentences)
    pooled = np.stack([by_text[s] for s in sentences])
    assert (pooled * alone).sum(axis=1).min() > 0.6


class _Counting:
    """The real embedder, recording what each call embeds."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.calls = inner, inner.name, []

    def load(self) -> None:
        self.inner.load()

    def embed(self, texts):
        self.calls.append(list(texts))
        return self.inner.embed(texts)


def test_an_answer_embeds_only_the_question(tmp_path: Path, library: Path):
    from talkrag.rag.answer import answer
    from talkrag.rag.retrieve import open_retriever

    db = tmp_path / "db"
    _ingest(db, library)
    retriever = open_retriever(_settings(db))
    retriever.embedder = _Counting(retriever.embedder)
    stored = answer(QUESTION, retriever, _settings(db))
    assert not stored.refused
    assert stored.citations
    assert retriever.embedder.calls == [[QUESTION], [QUESTION]]  # search, then the answer
    retriever.sentences = None  # an index without them: the sentences are embedded instead
    live = answer(QUESTION, retriever, _settings(db))
    assert not live.refused
    assert len(retriever.embedder.calls[-1]) > 5


def test_rows_follow_changed_and_pruned_files(tmp_path: Path, library: Path):
    from talkrag.ingest.index import open_index

    db = tmp_path / "db"
    _ingest(db, library)
    before = _rows(db)
    changed = library / "talk-01.srt"
    changed.write_text(changed.read_text().replace("In talk 1 point 3 ", "In talk 1 point 3 now "))
    (library / "talk-02.srt").unlink()
    report = _ingest(db, library, prune=True)
    assert report.pruned == 1
    assert report.chunks_added >= 1
    ids = set(open_index(_settings(db), create=False).store.rows()[0])
    assert _rows(db) == ids
    assert before - ids  # stale and pruned chunks' rows are gone, not just outnumbered


def test_torch_and_onnx_pool_the_same_vectors(model_dir: Path, embedder):
    from talkrag.ingest.backends import make_embedder
    from talkrag.ingest.sentences import sentence_spans

    texts = [
        "Ana: We shard by tenant. It keeps one customer's load apart!\nBen: Noisy neighbours hurt.",
        "Evals are unit tests for prompts. So, um, yeah, we moved everything to Postgres.",
    ]
    spans = [sentence_spans(texts[0], ["Ana", "Ben"]), sentence_spans(texts[1], [])]
    onnx = make_embedder(model_dir, embedder.name, "onnx", 256, 32)
    want_vectors, want = embedder.embed_with_sentences(texts, spans)
    got_vectors, got = onnx.embed_with_sentences(texts, spans)
    assert ((got_vectors * want_vectors).sum(axis=1) > 0.999).all()
    alone = embedder.embed([texts[0][a:b] for _, a, b in want[0][0]])
    nearest = (want[0][1] @ alone.T).argmax(axis=1)  # each sentence's pooled vector finds it
    assert list(nearest) == list(range(len(alone)))
    for (got_spans, g), (want_spans, w) in zip(got, want, strict=True):
        assert got_spans == want_spans
        assert len(got_spans) >= 2
        assert ((g * w).sum(axis=1) > 0.999).all()
