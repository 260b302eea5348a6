"""`talkrag ingest` and `talkrag talks` end to end: real parsers, real model, real Chroma."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talkrag.cli import app
from tests.conftest import FIXTURES, SAMPLES
from tests.integration.indexes import snapshot

pytestmark = pytest.mark.slow
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _ingest(db: Path, *args: str) -> dict:
    result = _run("ingest", *args, "--db", str(db), "--json")
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.stdout)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the sample transcripts that a test may edit or delete."""
    folder = tmp_path / "talks"
    shutil.copytree(SAMPLES, folder)
    return folder


def test_samples_ingest_then_rerun_adds_nothing(tmp_path: Path, library: Path):
    db = tmp_path / "db"
    first = _ingest(db, str(library))
    n_files = len([p for p in library.iterdir() if p.name != "README.md"])
    assert first["files"] == n_files >= 6
    assert first["failed"] == []
    assert first["talks"] == n_files
    assert first["chunks_added"] >= n_files
    again = _ingest(db, str(library))
    assert (again["chunks_added"], again["chunks_removed"], again["unchanged"]) == (0, 0, n_files)
    talks = json.loads(_run("talks", "--db", str(db), "--json").stdout)["talks"]
    assert sum(t["chunks"] for t in talks) == first["chunks_added"]
    assert all(t["title"] and t["source"].startswith(str(library.resolve())) for t in talks)
    assert any(t["speakers"] for t in talks)


def test_a_changed_file_replaces_exactly_its_own_chunks(tmp_path: Path, library: Path):
    db = tmp_path / "db"
    _ingest(db, str(library))
    before = snapshot(db)["talkrag-chunks"]
    target = sorted(library.glob("*.srt"))[0]
    target.write_text(
        target.read_text() + "\n\n999\n01:59:00,000 --> 01:59:05,000\n"
        "A closing remark about cache invalidation.\n"
    )
    report = _ingest(db, str(library))
    assert report["unchanged"] == report["files"] - 1
    after = snapshot(db)["talkrag-chunks"]
    source = str(target.resolve())
    others = lambda rows: [r for r in rows if r[2]["source"] != source]  # noqa: E731
    assert others(before) == others(after)
    mine = [r for r in after if r[2]["source"] == source]
    assert any("cache invalidation" in r[1] for r in mine)
    assert len(after) == len(before) + report["chunks_added"] - report["chunks_removed"]


def test_prune_removes_talks_whose_files_are_gone(tmp_path: Path, library: Path):
    db = tmp_path / "db"
    first = _ingest(db, str(library))
    gone = sorted(library.glob("*.vtt"))[0]
    gone.unlink()
    kept = _ingest(db, str(library))
    assert kept["talks"] == first["talks"]  # without --prune nothing is removed
    pruned = _ingest(db, str(library), "--prune")
    assert pruned["pruned"] == 1
    assert pruned["talks"] == first["talks"] - 1
    sources = {r[2]["source"] for r in snapshot(db)["talkrag-chunks"]}
    assert str(gone.resolve()) not in sources


def test_bad_files_fail_alone_and_nothing_stored_is_lost(tmp_path: Path, library: Path):
    db = tmp_path / "db"
    _ingest(db, str(library))
    before = snapshot(db)
    hostile = sorted(p for p in (FIXTURES / "hostile").iterdir() if p.is_file())
    for path in hostile:
        shutil.copy(path, library / path.name)
    result = _run("ingest", str(library), "--db", str(db), "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    failed = {Path(f["path"]).name for f in report["failed"]}
    assert failed, "the hostile fixtures should fail"
    assert failed <= {p.name for p in hostile}
    for line in result.stderr.strip().splitlines():
        assert line.startswith("talkrag: error: ")
        assert "Traceback" not in line
    assert all(any(name in line for line in result.stderr.splitlines()) for name in failed)
    after = snapshot(db)
    assert {r[0] for r in before["talkrag-chunks"]} <= {r[0] for r in after["talkrag-chunks"]}


def test_manifest_overrides_metadata_by_file_name(tmp_path: Path, library: Path):
    db = tmp_path / "db"
    target = sorted(library.glob("*.srt"))[0]
    manifest = tmp_path / "meta.csv"
    manifest.write_text(
        "file,title,speakers,date,event\n"
        f"{target.name},Official Title,Ana Ruiz; Bo Chen,2026-06-30,Test Conf\n"
    )
    _ingest(db, str(library), "--metadata", str(manifest))
    talks = json.loads(_run("talks", "--db", str(db), "--json").stdout)["talks"]
    (talk,) = [t for t in talks if t["source"] == str(target.resolve())]
    assert (talk["title"], talk["speakers"], talk["date"], talk["event"]) == (
        "Official Title",
        ["Ana Ruiz", "Bo Chen"],
        "2026-06-30",
        "Test Conf",
    )
    # The manifest is part of a file's fingerprint: changing it re-stamps the talk, no re-embed.
    manifest.write_text(f"file,title\n{target.name},Renamed Talk\n")
    report = _ingest(db, str(library), "--metadata", str(manifest))
    assert report["chunks_added"] == 0
    talks = json.loads(_run("talks", "--db", str(db), "--json").stdout)["talks"]
    (talk,) = [t for t in talks if t["source"] == str(target.resolve())]
    assert talk["title"] == "Renamed Talk"
    assert talk["event"] is None  # a field the manifest no longer sets is gone, not stale
    chunks = [r for r in snapshot(db)["talkrag-chunks"] if r[2]["source"] == str(target.resolve())]
    assert all("event" not in r[2] and r[2]["title"] == "Renamed Talk" for r in chunks)


def test_bad_manifest_is_named(tmp_path: Path, library: Path):
    manifest = tmp_path / "meta.jsonl"
    manifest.write_text('{"file": "a.srt", "title": "ok"}\n{not json\n')
    result = _run("ingest", str(library), "--db", str(tmp_path / "db"), "--metadata", str(manifest))
    assert result.exit_code == 1
    assert f"{manifest}: line 2: not valid JSON" in result.stderr


def test_youtube_talks_get_deep_links_at_the_moment(tmp_path: Path, library: Path):
    db = tmp_path / "db"
    _ingest(db, str(library))
    rows = snapshot(db)["talkrag-chunks"]
    timed = [r[2] for r in rows if "youtube.com" in r[2].get("url", "") and "start" in r[2]]
    assert timed, "a sample with a YouTube url and timestamps should give deep links"
    for meta in timed:
        assert meta["url"].endswith(f"&t={int(meta['start'])}s")


def test_another_chunk_size_is_refused_until_rebuild(tmp_path: Path, library: Path, monkeypatch):
    db = tmp_path / "db"
    _ingest(db, str(library))
    monkeypatch.setenv("TALKRAG_MAX_TOKENS", "128")
    result = _run("ingest", str(library), "--db", str(db))
    assert result.exit_code == 1
    assert "--rebuild" in result.stderr
    rebuilt = _ingest(db, str(library), "--rebuild")
    assert rebuilt["failed"] == []
    assert rebuilt["chunks_added"] > 0
    assert all(r[2]["n_tokens"] <= 128 for r in snapshot(db)["talkrag-chunks"])


def test_missing_path_is_reported(tmp_path: Path):
    result = _run("ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "db"), "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["failed"][0]["error"] == "no such file or directory"


def test_files_sharing_a_video_get_distinct_talk_ids(tmp_path: Path):
    library = tmp_path / "talks"
    library.mkdir()
    for name, topic in (("morning", "tokenizers"), ("evening", "sharding")):
        (library / f"{name}.md").write_text(
            f"---\ntitle: {name.title()} session\nmedia: https://youtu.be/AbCdEfGhIjK\n---\n"
            f"**Ana Ruiz:** Today we talk about {topic} and why it matters in production.\n"
        )
    db = tmp_path / "db"
    report = _ingest(db, str(library))
    assert report["failed"] == []
    talks = json.loads(_run("talks", "--db", str(db), "--json").stdout)["talks"]
    assert sorted(t["talk_id"] for t in talks) == ["AbCdEfGhIjK", "AbCdEfGhIjK--talks-morning"]
    assert _ingest(db, str(library))["unchanged"] == 2


def test_reading_a_missing_index_says_so_and_creates_nothing(tmp_path: Path):
    missing = tmp_path / "typo"
    for command in (["talks"], ["search", "anything"], ["ask", "anything"]):
        result = _run(*command, "--db", str(missing))
        assert result.exit_code == 1
        assert "no talkrag index" in result.stderr
    assert not missing.exists()


def test_bad_option_values_are_clear_errors(tmp_path: Path, library: Path, monkeypatch):
    db = tmp_path / "db"
    _ingest(db, str(library))
    bad_date = _run("search", "x", "--since", "June 2026", "--db", str(db))
    assert bad_date.exit_code == 1
    assert "is not a date" in bad_date.stderr
    assert _run("ask", "x", "--mode", "poetry", "--db", str(db)).exit_code == 2
    monkeypatch.setenv("TALKRAG_MAX_TOKENS", "lots")
    bad_env = _run("talks", "--db", str(db))
    assert bad_env.exit_code == 1
    assert "invalid setting: max_tokens" in bad_env.stderr


def test_whole_index_reads_are_paged(tmp_path: Path, library: Path, monkeypatch):
    # One `get` of ~40k chunks overflows SQLite's variable limit; reads go in pages by id
    # (offset pages rescan every earlier row: quadratic at 500k chunks).
    import talkrag.ingest.store as store_module
    from talkrag.ingest.index import open_index
    from talkrag.ingest.settings import IngestSettings

    db = tmp_path / "db"
    _ingest(db, str(library))
    store = open_index(IngestSettings(db=db)).store
    whole = store.rows()
    monkeypatch.setattr(store_module, "PAGE", 3)
    ids, texts, metas = store.rows()
    assert (ids, texts, metas) == whole
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids)) == store.count() > 3
    got = store._chunks.get(ids=ids[:5], include=["documents"])  # each text stays with its id
    fetched = dict(zip(got["ids"], got["documents"], strict=True))
    assert fetched == {i: t for i, t in zip(ids, texts, strict=True) if i in fetched}
    assert len(fetched) == 5
    assert len(store.file_records()) == len(list(library.glob("*.*"))) - 1  # README skipped
