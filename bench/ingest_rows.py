"""One backend's ingest rows for `python -m bench`, each run in a fresh process of its own.

A separate module because a spawned process cannot import functions from `python -m bench`'s
__main__.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from talkrag.ingest.index import open_index
from talkrag.ingest.pipeline import ingest
from talkrag.ingest.settings import IngestSettings

from bench.synth_index import peak_rss_mib

ROW = "{:34}{:>9}{:>11}  {}"


def _timed(fn: Callable[[list[str]], object], texts: list[str]) -> float:
    began = time.perf_counter()
    fn(texts)
    return time.perf_counter() - began


def row(name: str, seconds: float, words: int, note: str = "") -> None:
    """One printed row: what, seconds, transcript words per second, a note."""
    print(ROW.format(name, f"{seconds:.1f}", f"{words / seconds:,.0f}", note), flush=True)


def talkrag_rows(library: Path, work: Path, backend: str, words: int) -> tuple[Path, float]:
    """One backend in a process of its own, as a user runs it: no other backend's threads."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(_talkrag_rows, library, work, backend, words).result()


def _talkrag_rows(library: Path, work: Path, backend: str, words: int) -> tuple[Path, float]:
    """Ingest with one backend into a fresh index, then time the bare model on its chunks."""
    db = work / f"db-{backend}"
    index = open_index(IngestSettings(db=db, backend=backend))
    index.embedder.embed(["warm up the model"])  # model load (and first export) is not ingest
    began = time.perf_counter()
    report = ingest(
        [library], index.store, index.embedder, index.chunking, sentences=index.sentences
    )
    ingest_s = time.perf_counter() - began
    texts = index.store.texts()
    raw_s = min(_timed(index.embedder.embed, texts) for _ in range(2))  # best of two
    chunk_words = sum(len(t.split()) for t in texts)
    row(
        f"talkrag ingest, {backend}",
        ingest_s,
        words,
        f"{len(texts)} chunks, {len(report.failed)} failed",
    )
    row(
        f"  raw forward pass, {backend}",
        raw_s * words / chunk_words,
        words,
        f"ingest at {raw_s / ingest_s:.0%} of it",
    )
    return db, peak_rss_mib()
