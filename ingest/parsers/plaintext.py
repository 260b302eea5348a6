"""Plain-text transcripts -> Transcript: entities decoded, `>>` speaker changes, paragraphs."""

from __future__ import annotations

import html
from pathlib import Path

from talkrag.ingest.models import Transcript
from talkrag.ingest.parsers.build import finish, make_talk, title_from_stem, video_and_url
from talkrag.ingest.parsers.turns import read_turns


def parse(path: Path, text: str) -> Transcript:
    """Parse a plain-text transcript; a YouTube-id file name gives the talk id and url."""
    video_id, url = video_and_url(path, None)
    talk = make_talk(path, title_from_stem(path.stem), video_id, url)
    return finish(path, talk, read_turns(html.unescape(text), markdown=False), prose=True)
