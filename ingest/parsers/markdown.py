"""Markdown transcripts -> Transcript: front matter for the talk, the body for its turns."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from talkrag.ingest.links import watch_url, youtube_id
from talkrag.ingest.models import Talk, Transcript
from talkrag.ingest.parsers.build import finish, make_talk, title_from_stem
from talkrag.ingest.parsers.frontmatter import Meta, scalar, split_front_matter, strings
from talkrag.ingest.parsers.speakers import byline_names
from talkrag.ingest.parsers.turns import read_turns

_TRANSCRIPT_HEADING = re.compile(r"^(#{1,6})[ \t]+transcript[ \t#]*$", re.I | re.M)
_HEADING = re.compile(r"^(#{1,6})[ \t]", re.M)
_PRACTICAL_AI = re.compile(r"practical-ai-(\d+)")
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}
URL_FIELDS = ("media", "url", "source_file")


def transcript_section(body: str) -> str:
    """The text under a `## Transcript` heading (up to the next heading as high), else all."""
    heading = _TRANSCRIPT_HEADING.search(body)
    if heading is None:
        return body
    level = len(heading.group(1))
    for following in _HEADING.finditer(body, heading.end()):
        if len(following.group(1)) <= level:
            return body[heading.end() : following.start()]
    return body[heading.end() :]


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) > 1 and _QUOTES.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text


def split_title(title: str) -> tuple[str, tuple[str, ...]]:
    """`Transcript: <talk> — <speaker>, <company>` -> (talk, speakers); other titles unchanged."""
    if not title.startswith("Transcript:"):
        return title, ()
    rest = title.removeprefix("Transcript:").strip()
    talk, dash, byline = rest.rpartition("—")
    if dash and talk.strip():
        return _unquote(talk), byline_names(byline)
    talk, dash, byline = rest.rpartition(" - ")
    names = byline_names(byline) if dash else ()
    if names and talk.strip():
        return _unquote(talk), names
    return _unquote(rest), ()


def _url(meta: Meta) -> str | None:
    """The talk's link: media, url, an http(s) source_file, or the videoId's watch url."""
    for key in URL_FIELDS:
        value = scalar(meta, key)
        if value and (key != "source_file" or value.startswith(("http://", "https://"))):
            return value
    video = scalar(meta, "videoId")
    return watch_url(video) if video else None


def talk_from(path: Path, meta: Meta) -> Talk:
    """The Talk from front matter, falling back on the file name for the title."""
    raw_title = scalar(meta, "title") or ""
    title, byline = split_title(raw_title)
    url = _url(meta)
    video_id = scalar(meta, "videoId") or (youtube_id(url) if url else None)
    event = scalar(meta, "event")
    if not meta and _PRACTICAL_AI.fullmatch(path.stem):
        event = "Practical AI"
    talk = make_talk(path, title or title_from_stem(path.stem), video_id, url)
    return replace(
        talk,
        speakers=strings(meta, "speakers") or byline,
        date=scalar(meta, "date"),
        event=event,
        tags=strings(meta, "tags"),
    )


def parse(path: Path, text: str) -> Transcript:
    """Parse a markdown transcript: front matter, then turns under `## Transcript` or the body."""
    meta, body = split_front_matter(path, text)
    talk = talk_from(path, meta)
    segments = read_turns(transcript_section(body), markdown=True, known=talk.speakers)
    return finish(path, talk, segments, prose=True)
