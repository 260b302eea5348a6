"""Synthetic talks for scale runs: real-corpus words cut into chunk-sized windows, fake vectors.

Text: each synthetic talk copies one real transcript's vocabulary and word order (windows of
~180 consecutive words from random points in it), so BM25 sees real term frequencies and
posting-list lengths. Vectors: 384-d unit vectors scattered around a few thousand centres (see
`clustered`), so HNSW sees clustered data like real embeddings rather than uniform noise.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from talkrag.ingest.chunk import chunk_id
from talkrag.ingest.errors import InputError
from talkrag.ingest.models import Chunk, Talk
from talkrag.ingest.parsers import SUPPORTED_SUFFIXES, parse_file

log = logging.getLogger(__name__)

DIM = 384
WORDS = (180, 30)  # words per chunk: mean, spread (talkrag's 256-word-piece chunks hold ~180)
CHUNKS_PER_TALK = (20, 60)  # the real corpus averages ~40 chunks a talk
MIN_WORDS = 100  # shorter transcripts are passed over (a window would repeat most of one)
CENTRE_WORDS = 64  # words per passage embedded as a centre: a topic, at a third of the cost
SPREAD = 0.045  # noise per dimension around a centre: cosine to it ~0.75, like one talk's chunks
# Used only when no transcript can be read (a bare checkout with no corpus).
FALLBACK = (
    "retrieval evaluation latency agents embeddings tokens caching inference batching model "
    "prompt context window vector index search ranking users production cost quality data"
).split()


@dataclass(frozen=True, slots=True)
class Source:
    """One real transcript's words, title and speakers: what synthetic talks are cut from."""

    title: str
    speakers: tuple[str, ...]
    words: list[str]


def load_sources(roots: list[Path], limit: int = 0) -> list[Source]:
    """Parse the transcripts under roots (real parsers); a word-list source when none parse."""
    paths = sorted(p for r in roots for p in r.rglob("*") if _transcript(p))
    if limit:
        paths = random.Random(0).sample(paths, min(limit, len(paths)))
    sources = []
    for path in paths:
        try:
            parsed = parse_file(path)
        except InputError:
            continue
        words = " ".join(s.text for s in parsed.segments).split()
        if len(words) >= MIN_WORDS:
            speakers = tuple(dict.fromkeys(s.speaker for s in parsed.segments if s.speaker))
            sources.append(Source(parsed.talk.title, speakers or parsed.talk.speakers, words))
    if sources:
        return sources
    rng = random.Random(0)
    return [Source("Synthetic talk", ("Speaker",), rng.choices(FALLBACK, k=5000))]


def _transcript(path: Path) -> bool:
    name = path.name.lower()
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith(("readme", "_index"))


def synthetic_talk(n: int, source: Source) -> Talk:
    """Talk number n, titled and voiced after its source, on a synthetic path and video."""
    return Talk(
        id=f"synth-{n:07d}",
        title=f"{source.title} (synthetic {n})",
        source=f"/synthetic/talk-{n:07d}.md",
        speakers=source.speakers[:3] or (f"Speaker {n % 997}",),
        date=f"20{20 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d}",
        event=f"Synthetic Conf {n % 40}",
        url=f"https://www.youtube.com/watch?v=s{n:010d}",
        tags=("synthetic",),
    )


def synthetic_chunks(talk: Talk, source: Source, count: int, rng: random.Random) -> list[Chunk]:
    """count chunks of ~180 words from random points of the source, one minute apart."""
    chunks = []
    for position in range(count):
        size = max(20, int(rng.gauss(*WORDS)))
        at = rng.randrange(max(1, len(source.words) - size))
        text = " ".join(source.words[at : at + size])
        who = (source.speakers[position % len(source.speakers)],) if source.speakers else ()
        chunks.append(
            Chunk(
                id=chunk_id(talk.id, position, text),
                talk_id=talk.id,
                position=position,
                text=text,
                speakers=who,
                start=60.0 * position,
                end=60.0 * position + 58.5,
                n_tokens=min(256, int(size * 1.3)),
            )
        )
    return chunks


class TalkStream:
    """Synthetic talks drawn in order, so one index can grow through several sizes."""

    def __init__(self, sources: list[Source], seed: int = 0) -> None:
        self.sources, self.rng = sources, random.Random(seed)
        self.chunks = self.talks = 0

    def until(self, total: int) -> Iterator[tuple[Talk, list[Chunk], int]]:
        """Talks until total chunks in all: (talk, its chunks, index of its source)."""
        while self.chunks < total:
            pick = self.rng.randrange(len(self.sources))
            count = min(self.rng.randint(*CHUNKS_PER_TALK), total - self.chunks)
            talk = synthetic_talk(self.talks, self.sources[pick])
            chunks = synthetic_chunks(talk, self.sources[pick], count, self.rng)
            self.chunks, self.talks = self.chunks + count, self.talks + 1  # before: callers stop
            yield talk, chunks, pick


def unit(v: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1."""
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def random_centres(n: int, seed: int = 0) -> np.ndarray:
    """n random unit vectors: centres when the real model is not asked to make them."""
    return unit(np.random.default_rng(seed).standard_normal((n, DIM)))


def clustered(centres: np.ndarray, owners: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One unit vector near centres[owner] for each owner."""
    noise = rng.standard_normal((len(owners), DIM)).astype(np.float32) * SPREAD
    return unit(centres[owners] + noise)
