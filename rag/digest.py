"""make_digest(...): the talks in scope -> themes (or one topic) -> talks and quotes -> the
cited recap, written from quotes alone or, in llm mode, by an LLM and checked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from talkrag.ingest.errors import InputError
from talkrag.rag.digest_models import Digest, DigestRequest, DigestTalk, Theme
from talkrag.rag.digest_quotes import Scoring, candidates, choose, plain, what_was_said
from talkrag.rag.retrieve import Retriever, filter_mask
from talkrag.rag.rows import Rows
from talkrag.rag.theme_terms import (
    distinct_words,
    distinctive,
    surface_forms,
    theme_name,
    theme_track,
)
from talkrag.rag.themes import (
    BATCH,
    INITS,
    Space,
    find_themes,
    memberships,
    nearest,
    order_by_size,
    read_space,
    theme_talks,
)

Progress = Callable[[int, int], None]
Members = list[tuple[str, float]]  # a theme's talks and their shares


@dataclass
class _Ticks:
    """Steps done of the steps planned, reported to on_progress (the CLI's bar)."""

    total: int
    report: Progress | None
    done: int = 0

    def __call__(self) -> None:
        self.done = min(self.done + 1, self.total)
        if self.report:
            self.report(self.done, self.total)


def track_of(meta: dict[str, Any]) -> str | None:
    """A talk's track: the first of its tags (the schedule manifest puts the track there)."""
    tags = meta.get("tags") or []
    return str(tags[0]) if tags else None


def scope_mask(rows: Rows, request: DigestRequest) -> np.ndarray:
    """The rows the request's filters and track keep."""
    mask = filter_mask(rows.metas, request.filters) if request.filters.active() else None
    if mask is None:
        mask = np.ones(len(rows), dtype=bool)
    if request.track:
        wanted = request.track.lower()
        tracked = [any(wanted in str(t).lower() for t in m.get("tags") or []) for m in rows.metas]
        mask &= np.array(tracked, dtype=bool)
    return mask


def talk_cards(rows: Rows, talk_ids: set[str]) -> dict[str, dict[str, Any]]:
    """What a digest shows of each talk, from its first passage's metadata."""
    cards: dict[str, dict[str, Any]] = {}
    for talk in sorted(talk_ids):
        meta = rows.metas[rows.of_talk(talk)[0]]
        cards[talk] = {
            "talk_id": talk,
            "title": meta.get("title") or talk,
            "speakers": list(meta.get("talk_speakers") or meta.get("speakers") or []),
            "companies": list(meta.get("companies") or []),
            "url": meta.get("talk_url"),
            "date": meta.get("date"),
            "track": track_of(meta),
        }
    return cards


def _title(rows: Rows, mask: np.ndarray) -> str:
    events = Counter(rows.metas[i].get("event") for i in np.flatnonzero(mask))
    event, count = events.most_common(1)[0]
    return f"{event}: digest" if event and count == int(mask.sum()) else "Conference digest"


@dataclass
class _Found:
    """The passages as clustered: what each theme is made from."""

    space: Space
    labels: np.ndarray
    centres: np.ndarray
    stems: list[list[str]]  # each theme's distinctive BM25 stems
    shown: dict[str, str]  # a stem as people said it
    cards: dict[str, dict[str, Any]]  # what is shown of each talk


@dataclass
class _Used:
    """What earlier themes took: talks and words quoted, tracks named, quote numbers."""

    quoted: set[str] = field(default_factory=set)
    said: set[str] = field(default_factory=set)
    tracks: set[str] = field(default_factory=set)
    quotes: int = 0


def _fill(retriever: Retriever, found: _Found, c: int, members: Members, used: _Used) -> Theme:
    """Theme c: its name, talks, quotes (from talks and words no earlier theme quoted)."""
    scoring = Scoring(retriever.lexical.stemmer, retriever.embedder, dict(members))
    inside = np.flatnonzero(found.labels == c)
    cands = candidates(
        found.space, retriever.rows, inside, found.centres[c], found.stems[c], scoring
    )
    picked = choose(cands, used.quoted, used.said)
    used.quoted |= {p.talk_id for p in picked}
    used.said |= {plain(p.sentence.text) for p in picked}
    scheduled = [found.cards[t]["track"] for t, _ in members]
    track = theme_track(scheduled, used.tracks)
    used.tracks |= {track} if track else set()
    words = distinct_words([found.shown[s] for s in found.stems[c]])
    quotes = [cand.citation(used.quotes + 1 + i) for i, cand in enumerate(picked)]
    used.quotes += len(quotes)
    own = nearest(np.stack([p.vector for p in picked]), found.centres) == c if picked else None
    return Theme(
        n=0,
        name=theme_name(track, scheduled, words),
        terms=words,
        track=track,
        summary=what_was_said(quotes),
        talks=[DigestTalk(**found.cards[t], share=round(share, 3)) for t, share in members],
        quotes=quotes,
        coherence=float(own.mean()) if own is not None else None,
    )


def _themes(retriever: Retriever, space: Space, k: int, ticks: _Ticks) -> list[Theme]:
    """Cluster the space into k themes and fill each with its talks and quotes."""
    rows = retriever.rows
    labels, centres = find_themes(space, k, ticks)
    shares = memberships(space.talks, labels, k)
    cards = talk_cards(rows, set(space.talks))
    names = [name for card in cards.values() for name in card["speakers"]]
    stems = distinctive(retriever.lexical, space.rows, labels, space.talks, k, names)
    said = [rows.texts[int(r)] for r in space.rows]
    shown = surface_forms(said, {s for t in stems for s in t}, retriever.lexical.stemmer)
    found = _Found(space, labels, centres, stems, shown, cards)
    themes: list[Theme] = []
    used = _Used()
    for c in order_by_size(shares, k):
        members = theme_talks(shares, c)
        ticks()
        if members:
            theme = _fill(retriever, found, c, members, used)
            themes.append(theme.model_copy(update={"n": len(themes) + 1}))
    return themes


def make_digest(
    retriever: Retriever,
    request: DigestRequest,
    llm: Any = None,
    on_progress: Progress | None = None,
) -> Digest:
    """The digest of the talks in scope; InputError when the index or the scope is empty."""
    rows = retriever.rows
    if not len(rows):
        raise InputError("the index holds no talks yet: run `talkrag ingest PATH` first")
    mask = scope_mask(rows, request)
    if not mask.any():
        raise InputError(f"no talk matches {request.scope()}: `talkrag talks` lists them")
    picked = np.flatnonzero(mask)
    talk_of = [m["talk_id"] for m in rows.metas]
    n_talks = len({talk_of[int(r)] for r in picked})
    k = max(1, min(request.themes, n_talks, len(picked)))
    ticks = _Ticks(-(-len(picked) // BATCH) + INITS + k, on_progress)
    if request.topic:
        from talkrag.rag.digest_topic import topic_theme  # noqa: PLC0415

        themes = [topic_theme(retriever, request, mask, talk_cards)]
    else:
        space = read_space(rows, picked, retriever.sentences, retriever.embedder, ticks)
        themes = _themes(retriever, space, k, ticks)
    digest = Digest(
        title=_title(rows, mask),
        mode="extractive",
        topic=request.topic,
        scope=request.scope(),
        talks=n_talks,
        chunks=len(picked),
        themes=themes,
    )
    if request.mode == "llm" and llm is not None:
        from talkrag.rag.digest_llm import written  # noqa: PLC0415
        from talkrag.rag.verify import OfflineVerifier  # noqa: PLC0415

        return written(digest, llm, OfflineVerifier(retriever.embedder))
    return digest
