"""The digest's wire shape: themes, then their talks, then their quotes (Citations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from talkrag.rag.models import Citation, Filters

DEFAULT_THEMES = 10
MAX_THEMES = 30


@dataclass(frozen=True, slots=True)
class DigestRequest:
    """What to digest: which talks (filters, track), one topic or themes, and how to write."""

    filters: Filters = field(default_factory=Filters)
    track: str | None = None
    topic: str | None = None
    themes: int = DEFAULT_THEMES
    mode: str = "extractive"

    def scope(self) -> str:
        """The filters as given, for messages and the digest's header: `event 'X', track 'Y'`."""
        given = {**self.filters.model_dump(), "track": self.track}
        names = {"date_from": "since", "date_to": "until"}
        return ", ".join(f"{names.get(k, k)} {v!r}" for k, v in given.items() if v) or "no filter"


def plural(n: int, word: str) -> str:
    """`1 talk`, `2 talks`."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


class DigestTalk(BaseModel):
    """One talk of a theme: what a recap lists beside its quotes."""

    talk_id: str
    title: str
    speakers: list[str]
    companies: list[str]
    url: str | None = Field(description="link to the talk (its start)")
    date: str | None
    track: str | None = Field(None, description="the schedule's track, when the manifest gave it")
    share: float = Field(description="share of the talk's passages that fall in this theme")


class Theme(BaseModel):
    """One theme of the conference: its name, talks and verbatim quotes."""

    n: int = Field(description="1-based, largest theme first")
    name: str
    terms: list[str] = Field(description="its most distinctive words (BM25 weight, concentration)")
    track: str | None = Field(
        None,
        description="the official track most of its scheduled talks were in; its name "
        "when a quarter of all its talks were",
    )
    summary: str = Field(description="what was said: quotes only (extractive) or a cited paragraph")
    notice: str | None = Field(None, description="what the citation check changed in the summary")
    talks: list[DigestTalk]
    quotes: list[Citation] = Field(description="verbatim, from different talks, numbered globally")
    coherence: float | None = Field(
        None, description="share of its quotes whose nearest theme centre is its own"
    )


class Digest(BaseModel):
    """A cited recap of the talks in scope: highlights (llm mode), then themes."""

    title: str
    mode: str
    topic: str | None = None
    scope: str = Field(description="the filters applied")
    talks: int = Field(description="talks in scope")
    chunks: int = Field(description="passages in scope")
    highlights: str | None = Field(None, description="llm mode: cited bullet points")
    notice: str | None = None
    themes: list[Theme]

    def citations(self) -> list[Citation]:
        """Every quote of the digest, in number order."""
        return sorted((q for t in self.themes for q in t.quotes), key=lambda c: c.n)

    def wire(self) -> dict[str, Any]:
        """The digest as `digest --json` and GET /v1/digest send it."""
        return self.model_dump(mode="json")
