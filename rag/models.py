"""The wire contract: Filters, Hit (a ranked chunk), Citation, Answer and Talk, shared by the
CLI, the HTTP API, MCP, LlamaIndex and evals."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, computed_field, field_validator
from talkrag.ingest.links import deep_link
from talkrag.ingest.parsers.timecode import clock

_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class Hit(BaseModel):
    """One retrieved chunk: where it comes from, the moment it covers, and its text."""

    rank: int = Field(description="1-based rank in the result list")
    score: float = Field(description="similarity to the question; higher is closer")
    chunk_id: str
    source: str = Field(description="path of the transcript file")
    talk_id: str
    title: str
    speakers: list[str]
    start: float | None = Field(description="seconds into the talk, when known")
    end: float | None
    url: str | None = Field(description="link to the talk, at the moment when known")
    time_estimated: bool = Field(
        False, description="start and end are estimated from word position, not read (shown ~)"
    )
    text: str
    before: str | None = Field(None, description="the talk's previous chunk (with --neighbours)")
    after: str | None = Field(None, description="the talk's next chunk (with --neighbours)")
    marks: list[tuple[int, float]] = Field(
        default_factory=list, exclude=True, description="[char, seconds]: when sentences start"
    )

    def moment(self, begin: int, end: int) -> tuple[float | None, float | None]:
        """When the text between two character offsets is said: the last mark at or before
        begin, up to the first mark after end (the chunk's own times where none is known)."""
        starts = [t for at, t in self.marks if at <= begin]
        after = [t for at, t in self.marks if at >= end]
        return (starts[-1] if starts else self.start), (after[0] if after else self.end)


class Filters(BaseModel):
    """Limits on what retrieval may return; all optional, combined with AND."""

    speaker: str | None = Field(None, description="a speaker's name, or part of it (any case)")
    talk: str | None = Field(None, description="a talk id, or part of a talk's title")
    event: str | None = Field(None, description="an event name, or part of it")
    date_from: str | None = Field(None, description="earliest talk date, YYYY-MM-DD")
    date_to: str | None = Field(None, description="latest talk date, YYYY-MM-DD")

    @field_validator("date_from", "date_to")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None and not _ISO_DATE.fullmatch(value):
            raise ValueError(f"'{value}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
        return value

    def active(self) -> bool:
        """Whether any filter is set."""
        return any(v for v in self.model_dump().values())


class Citation(BaseModel):
    """One numbered source of an answer: the talk, speaker and moment, and the passage verbatim."""

    n: int = Field(description="the number used as [n] in the answer")
    chunk_id: str
    source: str = Field(description="path of the transcript file")
    talk_id: str
    title: str
    speaker: str | None = Field(description="who said the cited words, when known")
    start: float | None = Field(description="seconds into the talk, when known")
    end: float | None
    url: str | None = Field(description="link to the talk at the moment, when known")
    time_estimated: bool = Field(
        False, description="start and end are estimated from word position, not read (shown ~)"
    )
    text: str = Field(description="the cited passage, verbatim")
    quote: str | None = Field(
        None, description="the words of the passage the answer quotes, verbatim (extractive)"
    )

    @computed_field(description="the moment as every face shows it: m:ss, or h:mm:ss")  # type: ignore[prop-decorator]
    @property
    def at(self) -> str | None:
        """The start as a clock, or None when the time is unknown."""
        return clock(self.start) if self.start is not None else None

    @classmethod
    def from_hit(
        cls, n: int, hit: Hit, speaker: str | None = None, quote: tuple[int, int] | None = None
    ) -> Citation:
        """The citation of a hit under number n; without a known speaker, all the chunk's.

        quote: the character span of the quoted words in the hit, whose own moment (and a link
        there) the citation then gives, where the transcript timed it.
        """
        start, end = hit.moment(*quote) if quote else (hit.start, hit.end)
        moved = start is not None and start != hit.start
        return cls(
            n=n,
            chunk_id=hit.chunk_id,
            source=hit.source,
            talk_id=hit.talk_id,
            title=hit.title,
            speaker=speaker or (", ".join(hit.speakers) or None),
            start=start,
            end=end,
            url=deep_link(hit.url, start) if moved and hit.url else hit.url,
            time_estimated=hit.time_estimated,
            text=hit.text,
            quote=hit.text[quote[0] : quote[1]] if quote else None,
        )


class Recognised(BaseModel):
    """What a question was recognised to name, by the index's speakers, companies and talks."""

    speakers: list[str] = Field(default_factory=list)
    companies: list[str] = Field(default_factory=list)
    talks: list[str] = Field(default_factory=list, description="ids of the named ones' talks")


class Verified(BaseModel):
    """One sentence of an answer with the verifier's verdict against the passages it cites."""

    text: str = Field(description="the sentence, its [n] markers removed")
    citations: list[int] = Field(description="the numbers it cites, as [n] in the answer")
    supported: bool = Field(description="whether its cited passages say what it says")
    score: float = Field(description="the verifier's score; 1.0 for a verbatim quote")


class Answer(BaseModel):
    """A short answer whose sentences end with [n] citations, or a refusal."""

    answer: str
    refused: bool
    citations: list[Citation]
    mode: str = Field(description="extractive or llm")
    notice: str | None = Field(None, description="why the answer is not what was asked for")
    understood: Recognised | None = Field(
        None, description="the speakers, companies and talks the question was recognised to name"
    )
    sentences: list[Verified] = Field(
        default_factory=list, description="each sentence with its verdict (empty for a refusal)"
    )

    def wire(self) -> dict[str, Any]:
        """The answer as every face sends it: `ask --json`, /v1/ask and the SSE `answer` event."""
        return self.model_dump(mode="json")


class Talk(BaseModel):
    """One ingested talk, as `talkrag talks --json` lists it."""

    talk_id: str
    title: str
    speakers: list[str]
    date: str | None
    event: str | None
    url: str | None
    source: str = Field(description="path of the transcript file")
    chunks: int = Field(description="how many passages the talk was cut into")


class TalkList(BaseModel):
    """Every ingested talk."""

    talks: list[Talk]
