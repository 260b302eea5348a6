"""Themes across talks: the stored vectors of the passages in scope, clustered (spherical
k-means, fixed seed), each cluster's distinctive BM25 terms, and its talks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from talkrag.ingest.embed import Embedder
from talkrag.ingest.sentences import SentenceStore, SentenceVectors
from talkrag.rag.rows import Rows

log = logging.getLogger(__name__)

BATCH = 2000  # chunk ids per read of the sentence store (under SQLite's variable limit)
SEED = 0  # the digest is deterministic: one seed, one order of rows (the index's id order)
INITS = 4  # k-means restarts; the tightest wins
ITERATIONS = 40
# Openings and closings (greetings, sponsors, thanks, hosts' banter) cluster together across
# talks. A cluster with EDGE_RATIO times the scope's share of passages among their talk's first
# or last EDGE ones is no theme: its passages are set aside and the themes found again without
# them, up to ROUNDS times. Whole corpus: 10% of passages are such; the openings cluster held
# 44-47%, then a hosts' banter cluster ~20%, the topical ones 3-13%.
EDGE = 2
EDGE_RATIO = 1.75
ROUNDS = 3
TALK_SHARE = 0.25  # a talk belongs to a theme holding this share of its passages (or its most)
Step = Callable[[], None]


@dataclass
class Space:
    """The passages in scope: their rows, unit vectors and talks, and where the sentence
    vectors are (read again for the few passages quotes come from, not all kept in memory)."""

    rows: np.ndarray  # row numbers in the index's Rows
    vectors: np.ndarray  # (n, d) unit vectors, one per row
    talks: list[str]  # talk id of each row
    sentences: SentenceStore | None
    edges: np.ndarray  # whether a row is among its talk's first or last EDGE passages


def _holds(got: dict[str, SentenceVectors], chunk_id: str) -> bool:
    return chunk_id in got and len(got[chunk_id].starts) > 0


def _mean_unit(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


def read_space(
    rows: Rows,
    picked: np.ndarray,
    store: SentenceStore | None,
    embedder: Embedder,
    step: Step | None = None,
) -> Space:
    """The vectors of the picked rows: each chunk's the mean of its stored sentence vectors
    (ingest's own forward pass, so nothing is embedded again); a chunk without them is embedded."""
    ids, texts = rows.ids, rows.texts
    means: dict[int, np.ndarray] = {}
    for at in range(0, len(picked), BATCH):
        batch = [int(r) for r in picked[at : at + BATCH]]
        got = store.get([ids[r] for r in batch]) if store is not None else {}
        means.update({r: _mean_unit(got[ids[r]].vectors) for r in batch if _holds(got, ids[r])})
        if step:
            step()
    missing = [int(r) for r in picked if int(r) not in means]
    fresh: dict[int, np.ndarray] = {}
    if missing:
        log.warning("%d passages have no stored sentence vectors: embedding them", len(missing))
        fresh = dict(zip(missing, embedder.embed([texts[r] for r in missing]), strict=True))
    vectors = [means[r] if r in means else fresh[r] for r in map(int, picked)]
    dim = vectors[0].shape[-1] if vectors else 0
    matrix = np.stack(vectors).astype(np.float32) if vectors else np.zeros((0, dim), np.float32)
    talks = [rows.metas[int(r)]["talk_id"] for r in picked]
    return Space(picked, matrix, talks, store, _edges(rows, picked))


def _edges(rows: Rows, picked: np.ndarray) -> np.ndarray:
    """Whether each row is among its talk's first or last EDGE passages."""
    lengths: dict[str, int] = {}
    out = np.zeros(len(picked), dtype=bool)
    for i, r in enumerate(map(int, picked)):
        meta = rows.metas[r]
        n = lengths.setdefault(meta["talk_id"], len(rows.of_talk(meta["talk_id"])))
        position = int(meta.get("position", 0))
        out[i] = position < EDGE or position >= n - EDGE
    return out


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def _seeds(x: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ starting centres (cosine distance), drawn with the row weights."""
    first = int(rng.choice(len(x), p=weights / weights.sum()))
    centres = [x[first]]
    closest = 1.0 - x @ x[first]
    for _ in range(1, k):
        mass = np.maximum(closest, 0) * weights
        pick = int(rng.choice(len(x), p=mass / mass.sum())) if mass.sum() > 0 else 0
        centres.append(x[pick])
        closest = np.minimum(closest, 1.0 - x @ x[pick])
    return np.stack(centres)


def _lloyd(x: np.ndarray, weights: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, float]:
    """Spherical k-means from these centres: labels, and the weighted cosine loss."""
    labels = np.zeros(len(x), dtype=np.int64)
    for i in range(ITERATIONS):
        new = np.argmax(x @ centres.T, axis=1)
        if i and np.array_equal(new, labels):
            break
        labels = new
        for c in range(len(centres)):
            inside = labels == c
            if inside.any():  # an emptied centre keeps its place
                centres[c] = _mean_unit(x[inside] * weights[inside, None])
    loss = float((weights * (1.0 - np.max(x @ centres.T, axis=1))).sum())
    return labels, loss


def cluster(
    x: np.ndarray, weights: np.ndarray, k: int, step: Step | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and unit centres of k clusters of unit rows, weighted; the same every run."""
    rng = np.random.default_rng(SEED)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(INITS):
        centres = _seeds(x, weights, k, rng)
        labels, loss = _lloyd(x, weights, centres)
        if best is None or loss < best[0] - 1e-9:
            best = (loss, labels, centres)
        if step:
            step()
    assert best is not None  # noqa: S101  (INITS >= 1)
    return best[1], _unit_rows(best[2])


def find_themes(space: Space, k: int, step: Step | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's theme (-1: set aside) and the themes' unit centres: k clusters of the
    passages, found again without the openings-and-closings clusters while there are some."""
    labels, centres = cluster(space.vectors, talk_weights(space.talks), k, step)
    floor = EDGE_RATIO * float(space.edges.mean()) if len(space.edges) else 1.0
    for _ in range(ROUNDS):
        openings = [c for c in range(k) if _share(space.edges, labels == c) >= floor]
        keep = (labels >= 0) & ~np.isin(labels, openings)
        if not openings or k < 2 or keep.sum() < k:  # noqa: PLR2004
            break
        talks = [t for t, inside in zip(space.talks, keep, strict=True) if inside]
        _, centres = cluster(space.vectors[keep], talk_weights(talks), k)
        labels = np.where(keep, nearest(space.vectors, centres), -1)
    return labels, centres


def _share(flags: np.ndarray, inside: np.ndarray) -> float:
    return float(flags[inside].mean()) if inside.any() else 0.0


def talk_weights(talks: Sequence[str]) -> np.ndarray:
    """1 / (the talk's passages in scope) per row: each talk weighs the same, however long."""
    ids, inverse, counts = np.unique(np.asarray(talks), return_inverse=True, return_counts=True)
    return (1.0 / counts[inverse]).astype(np.float64) if len(ids) else np.zeros(0)


def memberships(talks: Sequence[str], labels: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Each talk's share of its themed passages per theme (rows set aside, -1, left out)."""
    shares: dict[str, np.ndarray] = {}
    for talk, label in zip(talks, labels, strict=True):
        if label >= 0:
            shares.setdefault(talk, np.zeros(k))[int(label)] += 1
    return {t: s / s.sum() for t, s in shares.items()}


def theme_talks(shares: dict[str, np.ndarray], theme: int) -> list[tuple[str, float]]:
    """The talks of a theme, with their share, largest first: those holding TALK_SHARE of
    their passages there, and those whose largest theme it is."""
    inside = [
        (talk, float(s[theme]))
        for talk, s in shares.items()
        if s[theme] >= TALK_SHARE or int(np.argmax(s)) == theme
    ]
    return sorted(inside, key=lambda ts: (-ts[1], ts[0]))


def order_by_size(shares: dict[str, np.ndarray], k: int) -> list[int]:
    """Theme numbers, the one most talks belong to (by their largest share) first."""
    primary = np.bincount([int(np.argmax(s)) for s in shares.values()], minlength=k)
    return sorted(range(k), key=lambda c: (-int(primary[c]), c))


def nearest(vectors: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """The nearest centre of each unit vector."""
    if not len(vectors):
        return np.zeros(0, dtype=np.int64)
    return np.argmax(vectors @ centres.T, axis=1)
