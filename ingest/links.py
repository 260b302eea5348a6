"""Talk ids and links: YouTube video ids, deep links to a moment, and slugs for other files."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
)
PATH_PREFIXES = ("embed", "live", "shorts", "v", "e")
_BRACKETED_ID = re.compile(r"\[([A-Za-z0-9_-]{11})\]")
_SLUG_JUNK = re.compile(r"[^a-z0-9._-]+")


def youtube_id(url: str) -> str | None:
    """The video id of a YouTube watch, youtu.be, embed, live or shorts url, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    candidate: str | None = None
    if host == "youtu.be" and segments:
        candidate = segments[0]
    elif host in YOUTUBE_HOSTS:
        if segments[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in PATH_PREFIXES:  # noqa: PLR2004
            candidate = segments[1]
    if candidate and VIDEO_ID.fullmatch(candidate):
        return candidate
    return None


def web_url(url: str | None) -> str | None:
    """The url when it is an http(s) address with a host; else None (no javascript: links)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url.strip()


def watch_url(video_id: str) -> str:
    """The canonical watch url of a YouTube video."""
    return f"https://www.youtube.com/watch?v={video_id}"


def deep_link(url: str | None, start: float | None) -> str | None:
    """A YouTube url at `start` seconds (`&t=<n>s`); other web urls, or no start, unchanged."""
    url = web_url(url)
    if not url:
        return None
    video_id = youtube_id(url)
    if video_id is None or start is None or not math.isfinite(start):
        return url
    return f"{watch_url(video_id)}&t={max(0, int(start))}s"


def video_id_from_stem(stem: str) -> str | None:
    """A YouTube id named by a file stem: the whole stem, or a yt-dlp `[id]` inside it."""
    bracketed = _BRACKETED_ID.search(stem)
    if bracketed:
        return bracketed.group(1)
    if VIDEO_ID.fullmatch(stem) and any(c.isupper() for c in stem):
        return stem  # real ids mix cases; an all-lowercase 11-letter stem is a word
    return None


def slug(text: str) -> str:
    """A lowercase `[a-z0-9._-]` slug of `text`; empty when nothing usable is left."""
    return _SLUG_JUNK.sub("-", text.lower()).strip("-.")


def talk_id_for(path: Path, video_id: str | None) -> str:
    """The talk id: the YouTube video id when known, else a slug of the file stem."""
    if video_id:
        return video_id
    stem_slug = slug(path.stem)
    if stem_slug:
        return stem_slug
    digest = hashlib.sha256(path.stem.encode("utf-8", "surrogateescape")).hexdigest()
    return f"talk-{digest[:12]}"
