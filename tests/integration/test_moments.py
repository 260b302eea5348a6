"""Estimated moments end to end: an untimed AI Engineer talk, its manifest's length, real Chroma."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from talkrag.ingest.moments import SPEAKING_RATE
from talkrag.ingest.parsers import parse_file
from typer.testing import CliRunner

from talkrag.cli import app
from tests.conftest import FIXTURES
from tests.integration.indexes import snapshot

pytestmark = pytest.mark.slow
runner = CliRunner()
AIEWF = FIXTURES / "aiewf"
TALK = "youtube-Qm4nR8sTt2w-transcript.md"
QUESTION = "How much faster did writing incident summaries get?"


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _ingest(talks: Path, db: Path, *manifest: Path) -> dict:
    flags = [a for m in manifest for a in ("--metadata", str(m))]
    return json.loads(_run("ingest", str(talks), *flags, "--db", str(db), "--json"))


def _chunks(db: Path) -> list[list]:
    return snapshot(db)["talkrag-chunks"]


def _with_length(path: Path, seconds: float) -> Path:
    entry = json.loads((AIEWF / "manifest.jsonl").read_text())
    path.write_text(json.dumps({**entry, "duration": seconds}) + "\n")
    return path


@pytest.fixture
def talks(tmp_path: Path) -> Path:
    folder = tmp_path / "talks"
    folder.mkdir()
    shutil.copy(AIEWF / TALK, folder / TALK)
    return folder


def _times(db: Path) -> dict[str, tuple[float, float]]:
    return {r[0]: (r[2]["start"], r[2]["end"]) for r in _chunks(db)}


def test_a_manifest_length_times_an_untimed_talk_in_place(tmp_path: Path, talks: Path):
    db = tmp_path / "db"
    first = _ingest(talks, db)  # no length: its words read at the speaking rate
    at_rate = _chunks(db)
    assert first["chunks_added"] == len(at_rate) >= 2
    assert all(meta["time_estimated"] for _, _, meta, _ in at_rate)
    spoken = sum(len(s.text.split()) for s in parse_file(talks / TALK).segments)
    assert min(meta["start"] for _, _, meta, _ in at_rate) == 0
    assert max(meta["end"] for _, _, meta, _ in at_rate) == pytest.approx(spoken / SPEAKING_RATE)

    timed = _ingest(talks, db, AIEWF / "manifest.jsonl")  # the length appears: re-timed
    assert (timed["ingested"], timed["chunks_added"], timed["chunks_removed"]) == (1, 0, 0)
    rows = _chunks(db)
    assert [r[:2] for r in rows] == [r[:2] for r in at_rate]  # same chunks, nothing duplicated
    for _, _, meta, _ in rows:
        assert meta["time_estimated"] is True
        assert 0 <= meta["start"] < meta["end"] <= 150
        assert meta["url"].endswith(f"&t={int(meta['start'])}s")
    assert max(meta["end"] for _, _, meta, _ in rows) == 150  # the last word ends the video

    longer = _ingest(talks, db, _with_length(tmp_path / "longer.jsonl", 300))
    assert (longer["ingested"], longer["chunks_added"], longer["chunks_removed"]) == (1, 0, 0)
    stretched = _times(db)
    assert stretched == {r[0]: pytest.approx((2 * r[2]["start"], 2 * r[2]["end"])) for r in rows}
    assert _ingest(talks, db, tmp_path / "longer.jsonl")["unchanged"] == 1

    back = _ingest(talks, db)  # the length gone again: back to the rate's times, in place
    assert (back["chunks_added"], back["chunks_removed"]) == (0, 0)
    assert _times(db) == {r[0]: (r[2]["start"], r[2]["end"]) for r in at_rate}


def test_every_citation_of_the_talk_has_an_estimated_start_and_link(tmp_path: Path, talks: Path):
    db = tmp_path / "db"
    _ingest(talks, db, AIEWF / "manifest.jsonl")
    asked = json.loads(_run("ask", QUESTION, "--db", str(db), "--json"))
    assert asked["citations"]
    assert not asked["refused"]
    for c in asked["citations"]:
        assert c["time_estimated"] is True
        assert c["start"] is not None
        assert c["url"] == f"https://www.youtube.com/watch?v=Qm4nR8sTt2w&t={int(c['start'])}s"
    shown = _run("ask", QUESTION, "--db", str(db))
    assert f"Noor Haddad @ ~{asked['citations'][0]['at']}" in shown
    found = json.loads(_run("search", QUESTION, "--db", str(db), "--json"))["results"]
    assert all(r["time_estimated"] for r in found)
    assert "@ ~" in _run("search", QUESTION, "--db", str(db))
