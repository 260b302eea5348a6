"""The ingest data model: a Talk, its timed Segments, and the Chunks that get embedded."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of speech: text, who said it and when (seconds), when known."""

    text: str
    speaker: str | None = None
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Talk:
    """A talk's metadata, as parsed from its file and merged with any manifest entry."""

    id: str
    title: str
    source: str
    speakers: tuple[str, ...] = ()
    date: str | None = None
    event: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()  # the speakers' companies or organisations, when known
    duration: float | None = None  # the video's length in seconds (a manifest's), when known


@dataclass(frozen=True, slots=True)
class Transcript:
    """A parsed transcript file: the talk and its ordered segments."""

    talk: Talk
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    # Prose (Markdown, plain text): times are occasional stamps, so sentences' are estimated.
    prose: bool = False


@dataclass(frozen=True, slots=True)
class Chunk:
    """A span of a talk sized for the embedding model, with the moment it covers."""

    id: str
    talk_id: str
    position: int
    text: str
    speakers: tuple[str, ...]
    start: float | None
    end: float | None
    n_tokens: int
    # Where each timed sentence starts in the text, and when (seconds): a quote's own moment.
    marks: tuple[tuple[int, float], ...] = ()
    time_estimated: bool = False  # its times are estimated from word position (ingest/moments)
