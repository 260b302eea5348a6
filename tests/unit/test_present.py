"""One clock and one source line for every face: CLI, OpenAI endpoint, LlamaIndex, MCP, page."""

from __future__ import annotations

import pytest
from talkrag.ingest.parsers.timecode import clock
from talkrag.rag.models import Answer, Citation, Hit
from talkrag.rag.present import (
    in_context,
    shown_moment,
    source_line,
    sources_text,
    with_sources,
)

from tests.conftest import ANSWER_FIELDS


def _citation(
    n: int = 1, start: float | None = 754.0, url: str | None = "https://youtu.be/x?t=754"
):
    return Citation(
        n=n,
        chunk_id="c",
        source="s",
        talk_id="t",
        title="Talk",
        speaker="Ann",
        start=start,
        end=None,
        url=url,
        text="passage",
    )


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00"),
        (5.9, "0:05"),
        (125, "2:05"),
        (754, "12:34"),
        (3600, "1:00:00"),
        (3723.5, "1:02:03"),
    ],
)
def test_one_clock(seconds: float, shown: str):
    assert clock(seconds) == shown


def test_a_citation_carries_its_moment_as_shown():
    assert _citation().at == "12:34"
    assert _citation(start=None).at is None
    assert _citation().model_dump()["at"] == "12:34"  # the page shows this, never its own clock


def test_source_line_names_talk_speaker_and_moment():
    assert source_line(_citation()) == "[1] Talk — Ann @ 12:34"
    unknown = _citation(start=None).model_copy(update={"speaker": None})
    assert source_line(unknown) == "[1] Talk — unknown speaker"


def test_sources_follow_the_answer_with_their_links():
    result = Answer(answer="A. [1]", refused=False, citations=[_citation()], mode="extractive")
    assert (
        with_sources(result)
        == "A. [1]\n\nSources:\n[1] Talk — Ann @ 12:34 https://youtu.be/x?t=754"
    )
    assert sources_text([_citation(url=None)]) == "[1] Talk — Ann @ 12:34"
    refused = Answer(answer="no", refused=True, citations=[], mode="extractive")
    assert with_sources(refused) == "no"


def test_the_wire_shape_is_the_answers_fields():
    result = Answer(answer="A. [1]", refused=False, citations=[_citation()], mode="extractive")
    assert set(result.wire()) == ANSWER_FIELDS


def test_a_citation_of_a_quote_gives_the_quotes_own_moment_and_link():
    text = "Ana: One thing first. Then the second thing, said later."
    hit = Hit(
        rank=1,
        score=1.0,
        chunk_id="c",
        source="s",
        talk_id="t",
        title="Talk",
        speakers=["Ana"],
        start=5.0,
        end=40.0,
        url="https://www.youtube.com/watch?v=tRg8EvAlP1p&t=5s",
        text=text,
        marks=[(5, 5.0), (22, 21.0)],
    )
    later = text.index("Then")
    cited = Citation.from_hit(1, hit, "Ana", (later, len(text)))
    assert (cited.start, cited.at, cited.end) == (21.0, "0:21", 40.0)
    assert cited.url == "https://www.youtube.com/watch?v=tRg8EvAlP1p&t=21s"
    first = Citation.from_hit(1, hit, "Ana", (5, 20))
    assert (first.start, first.end, first.url) == (5.0, 21.0, hit.url)
    assert Citation.from_hit(1, hit).start == 5.0  # no quote: the chunk's own moment
    assert "marks" not in hit.model_dump()  # kept off the wire
    assert not cited.time_estimated
    estimated = Citation.from_hit(1, hit.model_copy(update={"time_estimated": True}), "Ana")
    assert (estimated.time_estimated, estimated.model_dump()["time_estimated"]) == (True, True)


def test_an_estimated_moment_reads_with_a_tilde_and_a_read_one_without():
    guessed = _citation().model_copy(update={"time_estimated": True})
    assert source_line(guessed) == "[1] Talk — Ann @ ~12:34"
    assert guessed.at == "12:34"  # the clock itself stays a clock: JSON says time_estimated
    assert sources_text([guessed]) == "[1] Talk — Ann @ ~12:34 https://youtu.be/x?t=754"
    assert shown_moment(754.0, False) == "12:34"
    assert shown_moment(None, True) is None


def test_the_quote_is_shown_marked_inside_its_passage():
    text = "Long ago. We first tried it. We shard by tenant. It works well now. The end."
    cited = _citation().model_copy(update={"text": text, "quote": "We shard by tenant."})
    shown = in_context(cited, around=16)
    assert shown == "… first tried it. «We shard by tenant.» It works well …"  # whole words only
    assert (
        in_context(cited, around=200)
        == "Long ago. We first tried it. «We shard by tenant.» It works well now. The end."
    )
    assert in_context(_citation()) is None  # no quote (an LLM answer): nothing to mark
