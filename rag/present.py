"""How an answer reads as text, the same in the terminal, the OpenAI endpoint, LlamaIndex and
MCP: one source line, `[n] talk — speaker @ m:ss` (`@ ~m:ss` for an estimated moment), and one
sources block under an answer."""

from __future__ import annotations

from collections.abc import Sequence

from talkrag.ingest.parsers.timecode import clock
from talkrag.rag.models import Answer, Citation

UNKNOWN_SPEAKER = "unknown speaker"
CONTEXT_CHARS = 80  # text shown either side of a quote in the terminal


def shown_moment(start: float | None, estimated: bool) -> str | None:
    """A moment as every terminal line shows it: `m:ss`, `~m:ss` when estimated; None unknown."""
    if start is None:
        return None
    return f"~{clock(start)}" if estimated else clock(start)


def source_line(c: Citation) -> str:
    """`[n] talk — speaker @ m:ss` (`@ ~m:ss` estimated; no moment when the time is unknown)."""
    shown = shown_moment(c.start, c.time_estimated)
    when = f" @ {shown}" if shown else ""
    return f"[{c.n}] {c.title} — {c.speaker or UNKNOWN_SPEAKER}{when}"


def sources_text(citations: Sequence[Citation]) -> str:
    """The numbered sources as lines, each with its link: what a chat client shows."""
    return "\n".join(source_line(c) + (f" {c.url}" if c.url else "") for c in citations)


def with_sources(result: Answer) -> str:
    """The answer's text, then `Sources:` and one line per citation (none when uncited)."""
    if not result.citations:
        return result.answer
    return f"{result.answer}\n\nSources:\n{sources_text(result.citations)}"


def in_context(c: Citation, around: int = CONTEXT_CHARS) -> str | None:
    """The quote inside its passage, marked «like this», with a little text either side."""
    at = c.text.find(c.quote) if c.quote else -1
    if c.quote is None or at < 0:
        return None
    begin, end = max(0, at - around), min(len(c.text), at + len(c.quote) + around)
    before, after = c.text[begin:at], c.text[at + len(c.quote) : end]
    if begin and not c.text[begin - 1].isspace():  # whole words only: a cut word goes
        before = before.split(None, 1)[1] if len(before.split(None, 1)) > 1 else ""
    if end < len(c.text) and not c.text[end].isspace():
        after = after.rsplit(None, 1)[0] if len(after.rsplit(None, 1)) > 1 else ""
    before = ("… " if begin else "") + before
    after += " …" if end < len(c.text) else ""
    return " ".join(f"{before}«{c.quote}»{after}".split())
