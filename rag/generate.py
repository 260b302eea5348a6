"""LLM synthesis: hits -> fenced prompt -> model answer -> checked, renumbered citations."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from talkrag.rag.cite import UNCITED, Checked, check_citations, renumber
from talkrag.rag.models import Answer, Citation, Hit
from talkrag.rag.prompts import REFUSAL, SYSTEM, neutralise, source_block, user_message

if TYPE_CHECKING:  # rag.llm imports openai; the extractive path never loads it
    from talkrag.rag.llm import LLMClient

log = logging.getLogger(__name__)

MODE = "llm"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_SPACE = re.compile(r"\s+")


def build_messages(
    question: str, hits: Sequence[Hit], history: Sequence[dict[str, str]] | None = None
) -> list[dict[str, str]]:
    """System rules, earlier turns, then the numbered sources fenced as data and the question."""
    sources = [
        source_block(n, hit.title, hit.speakers, hit.start, hit.text, hit.time_estimated)
        for n, hit in enumerate(hits, start=1)
    ]
    return [
        {"role": "system", "content": SYSTEM},
        *(dict(turn) for turn in history or ()),
        {"role": "user", "content": user_message(question, sources)},
    ]


def _plain(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_APOSTROPHES)).strip().casefold()


def is_refusal(text: str) -> bool:
    """Whether the model said the refusal sentence (case, spacing and apostrophes aside)."""
    return _plain(REFUSAL).rstrip(".") in _plain(text)


def refusal(notice: str | None = None) -> Answer:
    """The honest answer when the sources don't cover the question, or cannot be cited."""
    return Answer(answer=REFUSAL, refused=True, citations=[], mode=MODE, notice=notice)


def _notice(checked: Checked) -> str | None:
    """What the check changed in the model's answer, for the reader; None when nothing."""
    notes = []
    if checked.removed:
        numbers = ", ".join(str(n) for n in checked.removed)
        notes.append(f"removed citations of sources that were not given: {numbers}")
    if checked.uncited:
        notes.append(f"{len(checked.uncited)} sentence(s) cite no source and are marked {UNCITED}")
    return "; ".join(notes) or None


def finish(raw: str, hits: Sequence[Hit]) -> Answer:
    """The model's raw answer checked against the hits: a cited Answer, or a refusal."""
    if is_refusal(raw):
        return refusal()
    checked = check_citations(raw, len(hits))
    log.info(
        "llm answer: %d cited, %d removed, %d uncited",
        len(checked.cited),
        len(checked.removed),
        len(checked.uncited),
    )
    if not checked.cited and not checked.uncited:
        return refusal("the model's answer cited none of the given sources, so it is not shown")
    # Sentences that cite nothing stay, marked: verification (rag/faithful.py) cites each to a
    # given passage that supports it, or drops it. Small models often answer well but uncited.
    citations = [Citation.from_hit(i, hits[n - 1]) for i, n in enumerate(checked.cited, start=1)]
    text = neutralise(renumber(checked.text, checked.cited))
    return Answer(
        answer=text, refused=False, citations=citations, mode=MODE, notice=_notice(checked)
    )


def llm_answer(
    question: str,
    hits: list[Hit],
    client: LLMClient,
    *,
    history: list[dict[str, str]] | None = None,
    on_delta: Callable[[str], None] | None = None,
) -> Answer:
    """Answer from the hits with the LLM, its citations checked; refuse when none holds."""
    if not hits:
        return refusal()
    messages = build_messages(question, hits, history)
    if on_delta is None:
        return finish(client.complete(messages), hits)
    parts: list[str] = []
    for delta in client.stream(messages):
        parts.append(delta)
        on_delta(delta)
    return finish("".join(parts), hits)
