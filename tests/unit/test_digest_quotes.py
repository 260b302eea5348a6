"""Which sentences may quote a theme, and which quotes a theme keeps."""

from __future__ import annotations

import numpy as np
from talkrag.rag.digest_quotes import MIN_QUOTES, Candidate, _quotable, choose
from talkrag.rag.extractive import Sentence
from talkrag.rag.models import Hit


def _cand(talk: str, text: str, score: float) -> Candidate:
    hit = Hit(
        rank=1, score=1.0, chunk_id=f"{talk}-0", source=f"/t/{talk}.md", talk_id=talk,
        title=talk, speakers=["Ann"], start=None, end=None, url=None, text=text,
    )  # fmt: skip
    return Candidate(score, hit, Sentence(text, "Ann", 0, 0, 0, len(text)), np.zeros(3))


def _sentence(text: str) -> Sentence:
    return Sentence(text, None, 0)


def test_a_quote_is_a_fluent_sentence_of_ten_to_45_words_and_no_introduction():
    assert _quotable(
        _sentence("Evals catch the regressions that a demo never shows you, every week.")
    )
    assert not _quotable(_sentence("Evals catch regressions."))  # too short to say much
    assert not _quotable(_sentence(" ".join(["word"] * 50)))
    loop = "feeds in essentially that, you know, feeds in essentially that, you know, feeds in"
    assert not _quotable(_sentence(loop + " essentially creates a loop."))
    assert not _quotable(_sentence("My background spans AI, NLP, marketing, analytics and more."))


def test_choose_keeps_one_quote_per_words_and_prefers_talks_not_yet_quoted():
    cands = [
        _cand("a", "Agents need evals before they need more tools, said twice.", 0.9),
        _cand("b", "Agents need evals before they need more tools, said twice.", 0.8),  # a rerun
        _cand("c", "Judges drift, so the judge needs its own labelled set.", 0.7),
        _cand("d", "Traces are the raw material of every eval we run.", 0.6),
        _cand("e", "Offline evals and online monitors answer different questions.", 0.5),
    ]
    picked = choose(cands, quoted=set(), said=set())
    assert [c.talk_id for c in picked] == ["a", "c", "d", "e"]
    later = choose(cands, quoted={"a"}, said=set())
    assert [c.talk_id for c in later] == ["b", "c", "d", "e"]  # a quoted already: b says it
    few = choose(cands[:3], quoted={"a", "b"}, said=set())
    assert len(few) == MIN_QUOTES - 1  # the same words twice never make two quotes
    assert (
        choose(cands, set(), said={"judges drift so the judge needs its own labelled set"})[
            1
        ].talk_id
        == "d"
    )
