"""`digest --topic`: what the talks in scope said about one subject, talk by talk, from the
retriever's own search and the extractive scoring of its sentences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from talkrag.ingest.errors import InputError
from talkrag.rag.digest_models import DigestRequest, DigestTalk, Theme
from talkrag.rag.digest_quotes import MAX_WORDS, what_was_said
from talkrag.rag.extractive import REFUSE_BELOW, Sentence, support
from talkrag.rag.models import Citation
from talkrag.rag.retrieve import Retriever
from talkrag.rag.rows import Rows
from talkrag.rag.settings import MAX_K

TOPIC_TALKS = 12  # talks quoted on a topic
PER_TALK = 2  # quotes from each


def _not_covered(topic: str, request: DigestRequest) -> InputError:
    return InputError(f"the talks in scope ({request.scope()}) don't cover {topic!r}")


def topic_theme(
    retriever: Retriever,
    request: DigestRequest,
    mask: np.ndarray,
    cards_of: Callable[[Rows, set[str]], dict[str, dict[str, Any]]],
) -> Theme:
    """One theme named for the topic: the talks that speak to it best, each with its best
    sentences (verbatim, cited), talks in the order of their best sentence."""
    topic = (request.topic or "").strip()
    if not topic:
        raise InputError("--topic: give a subject, such as 'evals'")
    rows = retriever.rows
    hits = [
        h for h in retriever.search(topic, MAX_K, request.filters) if mask[rows.row_of[h.chunk_id]]
    ]
    found = support(
        topic,
        hits,
        retriever.embedder,
        unknown_terms=bool(retriever.unknown_terms(topic)),
        known=retriever.sentence_vectors(hits),
    )
    if found is None:
        raise _not_covered(topic, request)
    cands, scores = found
    chosen: dict[str, list[Sentence]] = {}
    for i in np.argsort(-scores, kind="stable"):
        s = cands[int(i)]
        talk = hits[s.hit].talk_id
        if scores[i] < REFUSE_BELOW:  # no closer to the topic than a refused answer
            break
        if len(s.text.split()) > MAX_WORDS or (talk not in chosen and len(chosen) == TOPIC_TALKS):
            continue
        said = chosen.setdefault(talk, [])
        if len(said) < PER_TALK and s.text not in {q.text for q in said}:
            said.append(s)
    quotes: list[Citation] = []
    for said in chosen.values():
        for s in said:
            quotes.append(Citation.from_hit(len(quotes) + 1, hits[s.hit], s.speaker, (s.at, s.to)))
    cards = cards_of(rows, set(chosen))
    return Theme(
        n=1,
        name=topic,
        terms=[],
        summary=what_was_said(quotes),
        talks=[DigestTalk(**cards[t], share=1.0) for t in chosen],
        quotes=quotes,
    )
