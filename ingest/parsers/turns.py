"""Prose transcripts -> segments: paragraphs, turn labels, `>>` changes and inline timestamps."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from talkrag.ingest.models import Segment
from talkrag.ingest.parsers.build import Piece
from talkrag.ingest.parsers.speakers import (
    CHANGE,
    accepted_labels,
    attribute,
    label_counts,
    looks_like_name,
    split_label,
)
from talkrag.ingest.parsers.timecode import CLOCK, parse_timecode

FENCE = re.compile(r"\s{0,3}(?:```|~~~)")
HEADING = re.compile(r"\s{0,3}#{1,6}(?:\s|$)")
RULE = re.compile(r"\s{0,3}([-*_=])(?:\s*\1){2,}\s*$")
SHORTCODE = re.compile(r"\s*\{\{[<%].*[>%]\}\}\s*$")
BOLD_ONLY = re.compile(r"\*\*[^*]+\*\*:?")  # `**Break**`: a marker, not speech
BLOCKQUOTE = re.compile(r"^\s{0,3}>(?!>) ?")
LIST_MARK = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
# `00:12:03`, `(04:05)` or `\[04:05\]` alone on a line: what follows was said from then on.
TIME_ONLY = re.compile(rf"\s*\\?[\[(]?(?P<ts>{CLOCK})(?::\d{{2}})?\\?[\])]?\s*$")
# `Name: 00:00:19`, `**Name** 00:00:18`, `Name – 00:02:46:`, `[Name]: 00:37:13` on its own line.
NAME_TIME = re.compile(
    rf"\s*\**\[?(?P<name>[^\W\d_][^:\[\]()*\n]{{0,58}}?)\]?\**\s*(?:[:–—-]+\s*)?\**\s*"
    rf"\\?[\[(]?(?P<ts>{CLOCK})\\?[\])]?\s*:?\s*$"
)
NAME_TIME_TEXT = re.compile(
    rf"\s*(?P<name>[^\W\d_][^:\[\]()*\n]{{0,58}}?)\s*\\?\[(?P<ts>{CLOCK})\\?\]:\s+"
)
STRONG = re.compile(r"\s*\*\*(?P<name>[^*\n:]{1,60}):*(?::\*\*|\*\*\s*:)\s*")
INLINE_TIME = re.compile(rf"\\?\[(?P<ts>{CLOCK})(?::\d{{2}})?\\?\](?!\()")
MAX_MARKER_LINE = 160  # a `Name: 00:00:19` line is short; longer lines are speech
_MARKDOWN_INLINE = (
    # Every scan is bounded ({0,500}) so that no line can make a pattern run in quadratic time.
    (re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)"), ""),  # images
    (re.compile(r"\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)"), r"\1"),  # [text](url)
    (re.compile(r"<(https?://[^>\s]{1,2000})>"), r"\1"),  # <https://autolink>
    (re.compile(r"`([^`\n]{1,500})`"), r"\1"),
    (re.compile(r"\*\*([^*\n]{1,500})\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__([^_\n]{1,500})__(?!\w)"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)([^_\n]{1,500}?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),  # backslash escapes
)


def drop_comments(text: str) -> str:
    """Text without `<!-- HTML comments -->` (found by `str.find`, linear on any input)."""
    kept: list[str] = []
    position = 0
    while (opening := text.find("<!--", position)) >= 0:
        closing = text.find("-->", opening + 4)
        if closing < 0:
            break
        kept.append(text[position:opening])
        position = closing + 3
    kept.append(text[position:])
    return " ".join(kept)


def reduce_markdown(text: str) -> str:
    """Markdown inline markup reduced to its plain text: comments, links, emphasis, code."""
    text = drop_comments(text)
    for pattern, replacement in _MARKDOWN_INLINE:
        text = pattern.sub(replacement, text)
    return text


def timed_parts(text: str) -> list[tuple[float | None, str]]:
    """Text cut at inline `[mm:ss]` stamps: (the stamp before each part or None, the part)."""
    parts: list[tuple[float | None, str]] = []
    stamp: float | None = None
    last = 0
    for match in INLINE_TIME.finditer(text):
        seconds = parse_timecode(match.group("ts"))
        if seconds is not None:
            parts.append((stamp, text[last : match.start()]))
            stamp, last = seconds, match.end()
    parts.append((stamp, text[last:]))
    return parts


@dataclass(slots=True)
class _Reader:
    """Reads a body line by line into pieces, tracking the time and the labelled speaker."""

    markdown: bool
    accepted: frozenset[str]
    pieces: list[Piece] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    time: float | None = None
    speaker: str | None = None  # named by a `Name: 00:00:19` line, for the next paragraph
    fenced: bool = False

    def feed(self, line: str) -> None:
        """Take one line: a break, a marker, or text of the current paragraph."""
        if self.markdown and FENCE.match(line):
            self.flush()
            self.fenced = not self.fenced
        elif self.fenced:
            self.lines.append(line)
        elif not line.strip() or (self.markdown and self._is_markup(line)):
            self.flush()
        elif not self._is_marker(line):
            if self.markdown:
                line = LIST_MARK.sub("", BLOCKQUOTE.sub("", line, count=1), count=1)
            if self.lines and (STRONG.match(line) or split_label(line, self.accepted)[0]):
                self.flush()
            self.lines.append(line)

    @staticmethod
    def _is_markup(line: str) -> bool:
        return bool(HEADING.match(line) or RULE.match(line) or SHORTCODE.match(line))

    def _is_marker(self, line: str) -> bool:
        """A line that only sets the time, or the speaker and time, of what follows."""
        if len(line) > MAX_MARKER_LINE:
            return False
        alone = TIME_ONLY.match(line)
        labelled = None if alone else NAME_TIME.match(line)
        found = alone or labelled
        seconds = parse_timecode(found.group("ts")) if found else None
        if seconds is None or (labelled and not looks_like_name(labelled.group("name"))):
            return False
        self.flush()
        self.time = seconds
        if labelled:
            self.speaker = labelled.group("name").strip()
        return True

    def flush(self) -> None:
        """End the current paragraph: its label, then its pieces cut at `>>` and timestamps."""
        if not self.lines:
            return
        paragraph = " ".join(line.strip() for line in self.lines)
        self.lines.clear()
        speaker, self.speaker = self.speaker, None
        if self.fenced:
            self.pieces.append(Piece(paragraph, start=self.time, speaker=speaker))
            return
        paragraph, speaker = self._opening_label(paragraph, speaker)
        if self.markdown:
            if BOLD_ONLY.fullmatch(paragraph.strip()):
                return
            paragraph = html.unescape(reduce_markdown(paragraph))
        self._emit(paragraph, speaker)

    def _opening_label(self, paragraph: str, speaker: str | None) -> tuple[str, str | None]:
        """A `**Name:**` or `Name [mm:ss]:` opening: (the rest, the speaker); time set too."""
        strong = STRONG.match(paragraph) if self.markdown else None
        if strong and looks_like_name(strong.group("name")):
            return paragraph[strong.end() :], strong.group("name").strip()
        timed = NAME_TIME_TEXT.match(paragraph)
        seconds = parse_timecode(timed.group("ts")) if timed else None
        if timed and seconds is not None and looks_like_name(timed.group("name")):
            self.time = seconds
            return paragraph[timed.end() :], timed.group("name").strip()
        return paragraph, speaker

    def _emit(self, text: str, speaker: str | None) -> None:
        for index, turn in enumerate(CHANGE.split(text)):
            for position, (stamp, part) in enumerate(timed_parts(turn)):
                if stamp is not None:
                    self.time = stamp
                opening = position == 0
                self.pieces.append(
                    Piece(
                        part,
                        start=self.time,
                        speaker=speaker if opening and index == 0 else None,
                        change=opening and index > 0,
                    )
                )


def read_turns(body: str, *, markdown: bool, known: Sequence[str] = ()) -> list[Segment]:
    """Segments of a prose body, speakers resolved against the `known` names where they match."""
    accepted = accepted_labels(label_counts([body]), known)
    reader = _Reader(markdown=markdown, accepted=accepted)
    for line in body.split("\n"):
        reader.feed(line)
    reader.flush()
    return attribute(reader.pieces, accepted, known)
