"""A subset of the real corpus, ingested as a user would, with the official schedule as manifest."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from talkrag.ingest.chunk import chunk_segments
from talkrag.ingest.manifest import load_manifest
from talkrag.ingest.parsers import parse_file
from talkrag.ingest.pipeline import timing_of
from talkrag.ingest.records import chunk_metadata
from typer.testing import CliRunner

from talkrag.cli import app
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.corpus]


def _subset(corpus: Path, dest: Path) -> dict[str, list[Path]]:
    """A few files of each corpus folder, copied so the test owns them."""
    picks = {
        "md": sorted((corpus / "aiewf2026" / "transcripts").glob("*.md"))[:4],
        "raw": sorted((corpus / "aiewf2026" / "transcripts-raw").glob("*.txt"))[:3],
        "pod": sorted((corpus / "practical-ai").glob("practical-ai-2*.md"))[:3],
        "btc": sorted(
            p
            for p in (corpus / "bitcointranscripts" / "bitcoinplusplus").rglob("*.md")
            if not p.name.startswith("_")  # folder pages, not talks
        )[:3],
    }
    dest.mkdir()
    for files in picks.values():
        for f in files:
            shutil.copy(f, dest / f.name)
    return {k: [dest / f.name for f in v] for k, v in picks.items()}


def _schedule(corpus: Path, manifest: Path) -> subprocess.CompletedProcess:
    """The manifest scripts/aiewf_manifest.py builds from the official schedule, at manifest."""
    built = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "aiewf_manifest.py"),
            str(corpus / "aiewf2026" / "metadata"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    manifest.write_text(built.stdout)
    return built


def test_every_aie_passage_has_a_moment_and_a_link_there(corpus: Path, tmp_path: Path, tokenizer):
    manifest = tmp_path / "aiewf2026.jsonl"
    _schedule(corpus, manifest)
    schedule = load_manifest(manifest)
    files = sorted((corpus / "aiewf2026").rglob("*.md")) + sorted(
        (corpus / "aiewf2026").rglob("*.txt")
    )
    lengths = 0
    for path in files:
        transcript = parse_file(path)
        talk, _ = schedule.apply(path, transcript.talk)
        lengths += talk.duration is not None
        timing = timing_of(transcript, talk)
        for chunk in chunk_segments(talk.id, transcript.segments, tokenizer, 256, 48, timing):
            meta = chunk_metadata(chunk, talk)
            assert meta["time_estimated"], path.name
            assert meta["url"].endswith(f"&t={int(meta['start'])}s"), path.name
    assert len(files) >= 200
    assert lengths >= 90  # the channel file's lengths; the rest are read at the speaking rate


def test_real_transcripts_ingest_with_the_official_schedule(corpus: Path, tmp_path: Path):
    manifest = tmp_path / "aiewf2026.jsonl"
    built = _schedule(corpus, manifest)
    picks = _subset(corpus, tmp_path / "talks")
    runner = CliRunner()
    args = [
        "ingest",
        str(tmp_path / "talks"),
        "--db",
        str(tmp_path / "db"),
        "--metadata",
        str(manifest),
        "--json",
    ]
    first = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert first["failed"] == []
    assert first["talks"] == sum(len(v) for v in picks.values())
    again = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert again["chunks_added"] == 0
    assert again["unchanged"] == first["files"]

    talks = json.loads(
        runner.invoke(app, ["talks", "--db", str(tmp_path / "db"), "--json"]).stdout
    )["talks"]
    by_source = {Path(t["source"]).name: t for t in talks}
    entries = {json.loads(line)["video_id"]: json.loads(line) for line in built.stdout.splitlines()}
    for raw in picks["raw"]:  # bare .txt files get title, speakers and date from the schedule
        talk, entry = by_source[raw.name], entries[raw.stem]
        assert talk["title"] == entry["title"]
        assert talk["speakers"] == entry.get("speakers", [])
        assert talk["url"] == f"https://www.youtube.com/watch?v={raw.stem}"
    for group in ("md", "pod", "btc"):
        for f in picks[group]:
            assert by_source[f.name]["title"]
            if _names_a_speaker(f):  # "speakers filled where the files hold them"
                assert by_source[f.name]["speakers"], f.name


def _names_a_speaker(path: Path) -> bool:
    head = path.read_text(encoding="utf-8")[:3000]
    title = next((ln for ln in head.splitlines() if ln.startswith("title:")), "")
    return " — " in title or " - " in title or "speakers:" in head or "**" in head
