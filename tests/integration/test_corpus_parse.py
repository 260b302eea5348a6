"""Every real corpus transcript parses: titles, speakers and times survive the real formats."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.models import Transcript
from talkrag.ingest.parsers import SUPPORTED_SUFFIXES, parse_file
from talkrag.ingest.parsers.frontmatter import scalar, split_front_matter

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

SKIPPED = ("readme", "license", "licence", "changelog", "_index")  # as the ingest pipeline skips
STRICT = ("aiewf2026/transcripts", "aiewf2026/transcripts-raw", "practical-ai")
MAX_FAILED_SHARE = 0.03
log = logging.getLogger(__name__)


@dataclass
class Folder:
    """One corpus folder parsed: transcripts by path, and the files that failed."""

    parsed: dict[Path, Transcript] = field(default_factory=dict)
    failed: dict[Path, TranscriptError] = field(default_factory=dict)

    def segments(self) -> list:
        return [s for t in self.parsed.values() for s in t.segments]


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not p.stem.lower().startswith(SKIPPED)
    )


def _parse_folder(folder: Path) -> Folder:
    result = Folder()
    for path in _files(folder):
        try:
            result.parsed[path] = parse_file(path)
        except TranscriptError as exc:  # anything else is a bug and fails the test
            result.failed[path] = exc
    segments = result.segments()
    log.info(
        "%s: %d files, %d failed, %d segments, %d with speaker, %d with start",
        folder.name, len(result.parsed) + len(result.failed), len(result.failed),
        len(segments), sum(1 for s in segments if s.speaker),
        sum(1 for s in segments if s.start is not None),
    )  # fmt: skip
    return result


@pytest.fixture(scope="module")
def folders(corpus: Path) -> dict[str, Folder]:
    names = (*STRICT, "bitcointranscripts")
    return {name: _parse_folder(corpus / name) for name in names}


@pytest.mark.parametrize("name", STRICT)
def test_every_file_parses(folders, name):
    folder = folders[name]
    assert folder.parsed, f"no transcripts found under {name}"
    assert {str(p): str(e) for p, e in folder.failed.items()} == {}


def test_aiewf_markdown_titles_speakers_and_links(folders):
    for path, t in folders["aiewf2026/transcripts"].parsed.items():
        assert t.talk.title, path
        assert not t.talk.title.startswith("Transcript:"), path
        assert t.talk.url == f"https://www.youtube.com/watch?v={t.talk.id}", path
        text = " ".join(s.text for s in t.segments)
        assert "Local Cache" not in text, path
        assert "raw/sources/youtube-transcripts" not in text, path
    with_speakers = [t for t in folders["aiewf2026/transcripts"].parsed.values() if t.talk.speakers]
    assert len(with_speakers) >= 0.9 * len(folders["aiewf2026/transcripts"].parsed)


def test_aiewf_raw_text_is_linked_by_video_id(folders):
    for path, t in folders["aiewf2026/transcripts-raw"].parsed.items():
        assert t.talk.id == path.stem
        assert t.talk.url == f"https://www.youtube.com/watch?v={path.stem}"
        assert not any("&gt;" in s.text for s in t.segments), path


def test_practical_ai_speakers_and_times(folders):
    folder = folders["practical-ai"]
    for path, t in folder.parsed.items():
        number = path.stem.rsplit("-", 1)[-1]
        assert (t.talk.title, t.talk.event) == (f"Practical AI #{number}", "Practical AI")
        assert t.talk.speakers, path
    segments = folder.segments()
    assert sum(1 for s in segments if s.speaker) >= 0.99 * len(segments)
    assert sum(1 for s in segments if s.start is not None) >= 0.5 * len(segments)


def test_bitcointranscripts_parse_except_files_without_transcript_text(folders, record_property):
    folder = folders["bitcointranscripts"]
    total = len(folder.parsed) + len(folder.failed)
    record_property("bitcointranscripts_failed", len(folder.failed))
    assert total > 1000
    assert len(folder.failed) <= MAX_FAILED_SHARE * total, sorted(map(str, folder.failed.values()))
    assert {e.problem for e in folder.failed.values()} <= {"no transcript text found"}
    labelled = [t for t in folder.parsed.values() if any(s.speaker for s in t.segments)]
    timed = [t for t in folder.parsed.values() if any(s.start is not None for s in t.segments)]
    assert len(labelled) >= 400
    assert len(timed) >= 100


def test_bitcointranscripts_summaries_are_not_transcript_text(folders):
    checked = 0
    for path, t in folders["bitcointranscripts"].parsed.items():
        meta, _ = split_front_matter(path, path.read_text(encoding="utf-8-sig"))
        summary = scalar(meta, "summary")
        if summary:
            checked += 1
            assert not any(summary[:80] in s.text for s in t.segments), path
    assert checked > 50
