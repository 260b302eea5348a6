"""bench.scale's synthetic index is a real talkrag index: open_retriever opens it and finds hits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from talkrag.ingest.index import list_talks, open_index
from talkrag.ingest.settings import IngestSettings
from talkrag.rag.models import Hit
from talkrag.rag.retrieve import FETCH, Retriever, open_retriever
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


class Clock:
    """bench.scale_search's perf_counter: it moves only when a spied part says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now

    def tick(self, ms: float) -> None:
        """Let ms pass."""
        self.now += ms / 1000


class Spy:
    """One object with one method spied on: each call is recorded and takes ms on the clock."""

    def __init__(self, real: Any, method: str, clock: Clock, ms: float) -> None:
        self.real, self.method, self.clock, self.ms = real, method, clock, ms
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        if name != self.method:
            return getattr(self.real, name)

        def call(*args: Any) -> Any:
            self.clock.tick(self.ms)
            self.calls.append(args)
            return getattr(self.real, name)(*args)

        return call


class SpiedRetriever:
    """The real retriever as measure() sees it: searches take scripted times, parts are spied."""

    def __init__(self, real: Retriever, clock: Clock, search_ms: list[float]) -> None:
        self.real, self.clock, self.search_ms = real, clock, search_ms
        self.embedder = Spy(real.embedder, "embed", clock, EMBED_MS)
        self.store = Spy(real.store, "nearest_ids", clock, CHROMA_MS)
        self.lexical = Spy(real.lexical, "search", clock, BM25_MS)
        self.searched: list[tuple[str, int]] = []
        self.found: list[list[str]] = []

    def search(self, question: str, k: int = 5) -> list[Hit]:
        self.clock.tick(self.search_ms[len(self.searched)])
        self.searched.append((question, k))
        hits = self.real.search(question, k)
        self.found.append([h.chunk_id for h in hits])
        return hits


def _rss_mib(field: str) -> float:
    """This process's VmRSS or VmHWM from /proc, in MiB."""
    line = next(
        x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field)
    )
    return int(line.split()[1]) / 1024


QUERIES = 20
WARM_MS = 5000.0  # the first search loads the model: measure() must leave it out
SEARCH_MS = [float(10 + (7 * i) % QUERIES) for i in range(QUERIES)]  # 10..29 ms, shuffled
EMBED_MS, CHROMA_MS, BM25_MS = 2.0, 3.0, 4.0


def test_pct_is_the_nearest_rank():
    assert scale_search.pct([3.0, 1.0, 2.0, 4.0], 0.5) == 3.0
    assert scale_search.pct([3.0, 1.0, 2.0, 4.0], 0.95) == 4.0
    assert scale_search.pct([7.0], 0.95) == 7.0


def test_search_figures_are_measured(synthetic_db, monkeypatch: pytest.MonkeyPatch):
    """measure() times exactly the n warm searches asked for, and each part on its own."""
    db, _ = synthetic_db
    clock, spied = Clock(), []

    def opened(settings: RagSettings) -> SpiedRetriever:
        clock.tick(2500)
        assert settings.db == db
        spied.append(SpiedRetriever(open_retriever(settings), clock, [WARM_MS, *SEARCH_MS]))
        return spied[0]

    monkeypatch.setattr(scale_search, "time", clock)
    monkeypatch.setattr(scale_search, "open_retriever", opened)
    rss_before = _rss_mib("VmRSS:")
    got = scale_search.measure(db, QUERIES)
    hwm_after = _rss_mib("VmHWM:")

    (retriever,) = spied
    asked = scale_search.questions(QUERIES)
    assert len(asked) == QUERIES
    assert retriever.searched == [(asked[0], 5)] + [(q, 5) for q in asked]  # one warm, n timed
    assert got["open_s"] == pytest.approx(2.5)
    assert got["search_p50_ms"] == pytest.approx(20.0)  # sorted 10..29: rank 10 and rank 19
    assert got["search_p95_ms"] == pytest.approx(29.0)
    assert got["embed_p50_ms"] == pytest.approx(EMBED_MS)
    assert got["chroma_p50_ms"] == pytest.approx(CHROMA_MS)
    assert got["bm25_p50_ms"] == pytest.approx(BM25_MS)
    assert retriever.embedder.calls == [([q],) for q in asked]
    assert [k for _, k in retriever.store.calls] == [FETCH] * QUERIES
    assert retriever.lexical.calls == [(q, FETCH) for q in asked]

    fresh = open_retriever(RagSettings(db=db))  # the hits are what search returns, unaltered
    assert retriever.found == [[h.chunk_id for h in fresh.search(q, 5)] for q in [asked[0], *asked]]
    assert got["hits"] == len(retriever.found[0]) == 5
    assert rss_before <= got["peak_rss_mib"] <= hwm_after  # this process's own peak
