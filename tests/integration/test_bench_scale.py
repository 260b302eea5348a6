"""bench.scale's synthetic index is a real talkrag index: open_retriever opens it and finds hits."""

from __future__ import annotations

from pathlib import Path

import pytest
from talkrag.ingest.index import list_talks, open_index
from talkrag.ingest.settings import IngestSettings
from talkrag.rag.retrieve import open_retriever
from talkrag.rag.settings import RagSettings

from bench import scale_search, synth, synth_index
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow
N = 2000


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, synth.TalkStream]:
    """A 2,000-chunk synthetic index cut from the sample transcripts, random centres."""
    db = tmp_path_factory.mktemp("scale") / "db"
    sources = synth.load_sources([SAMPLES])
    stream = synth.TalkStream(sources)
    store = synth_index.fresh_index(db).store
    built = synth_index.grow(store, stream, N, synth.random_centres(32))
    assert (built.chunks, built.added) == (N, N)
    return db, stream


def test_synthetic_index_opens_like_an_ingested_one(synthetic_db):
    db, stream = synthetic_db
    index = open_index(IngestSettings(db=db), create=False)  # the fingerprint check passes
    assert index.store.count() == N
    assert not index.store.writing()
    talks = list_talks(IngestSettings(db=db))
    assert len(talks) == stream.talks
    assert sum(t["chunks"] for t in talks) == N


def test_real_retriever_returns_synthetic_hits(synthetic_db):
    db, _ = synthetic_db
    retriever = open_retriever(RagSettings(db=db))
    hits = retriever.search("How should GPU inference requests be batched?", 5)
    assert len(hits) == 5
    assert all(h.talk_id.startswith("synth-") and h.text for h in hits)
    assert all(h.url and "&t=" in h.url for h in hits)  # deep links, as real chunks have


def test_search_figures_are_measured(synthetic_db):
    db, _ = synthetic_db
    got = scale_search.measure(db, 4)
    assert got["hits"] > 0
    assert 0 < got["search_p50_ms"] <= got["search_p95_ms"]
    assert got["peak_rss_mib"] > 0
