"""A read-only or full disk, a damaged index, readers during an ingest: clear errors, then
a rerun converges to exactly the index a clean run builds, and BM25 stays in step with Chroma.

The disks are real filesystems: small tmpfs mounts (the tests skip where mounting is denied).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.indexes import (
    assert_same_index,
    ingest_cmd,
    ingest_env,
    snapshot,
    write_library,
)

pytestmark = pytest.mark.slow


def _mount(point: Path, options: str) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], check=True)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A fresh 64 MiB tmpfs, unmounted afterwards."""
    point = tmp_path / "disk"
    point.mkdir()
    try:
        _mount(point, "size=64m")
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip("needs permission to mount a tmpfs (root in a sandbox, as in CI)")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def _remount(point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)


def _ingest(library: Path, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [*ingest_cmd(library, db), *extra]
    return subprocess.run(cmd, env=ingest_env(), capture_output=True, text=True, check=False)


def _talkrag(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "talkrag", *args]
    return subprocess.run(cmd, env=ingest_env(), capture_output=True, text=True, check=False)


def _clean(tmp_path: Path, library: Path) -> dict:
    db = tmp_path / "clean"
    assert _ingest(library, db).returncode == 0
    return snapshot(db)


def _lexical_matches_chroma(db: Path) -> None:
    """BM25 (rebuilt or loaded as a search would) holds exactly Chroma's chunks."""
    from talkrag.ingest.settings import IngestSettings
    from talkrag.rag.retrieve import open_retriever

    retriever = open_retriever(IngestSettings(db=db))
    ids, _texts, _metas = retriever.store.rows()
    assert sorted(retriever.rows.ids) == sorted(ids)


def _one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert all(n in done.stderr for n in needles), done.stderr


def test_read_only_data_directory_then_writable_converges(tmp_path: Path, disk: Path):
    library = tmp_path / "talks"
    write_library(library, n_files=4)
    db = disk / "db"
    assert _ingest(library, db).returncode == 0
    (library / "talk-00.srt").write_text((library / "talk-01.srt").read_text())
    _remount(disk, "ro")
    _one_line_error(_ingest(library, db), "cannot write to the data directory", "Read-only")
    _remount(disk, "rw")
    assert _ingest(library, db).returncode == 0
    assert_same_index(snapshot(db), _clean(tmp_path, library))
    _lexical_matches_chroma(db)


def test_full_disk_is_reported_then_a_rerun_converges(tmp_path: Path, disk: Path):
    library = tmp_path / "talks"
    write_library(library, n_files=6)
    _remount(disk, "size=400k")
    db = disk / "db"
    _one_line_error(_ingest(library, db), f"the disk holding {db}", "free some space")
    _remount(disk, "size=64m")
    done = _ingest(library, db)
    assert done.returncode == 0, done.stderr
    assert_same_index(snapshot(db), _clean(tmp_path, library))
    _lexical_matches_chroma(db)


def test_damaged_index_says_rebuild_which_sets_it_aside(tmp_path: Path):
    library = tmp_path / "talks"
    write_library(library, n_files=3)
    db = tmp_path / "db"
    assert _ingest(library, db).returncode == 0
    (db / "chroma.sqlite3").write_bytes(b"\x00garbage" * 4096)
    _one_line_error(_talkrag("search", "caching", "--db", str(db)), "damaged", "--rebuild")
    _one_line_error(_ingest(library, db), "damaged", "--rebuild")
    done = _ingest(library, db, "--rebuild")
    assert done.returncode == 0, done.stderr
    aside = list(tmp_path.glob("db.damaged-*"))
    assert len(aside) == 1
    assert (aside[0] / "chroma.sqlite3").read_bytes().startswith(b"\x00garbage")
    assert_same_index(snapshot(db), _clean(tmp_path, library))


def test_an_index_damaged_while_open_fails_as_store_error(tmp_path: Path):
    """Chroma's Rust binding raises InternalError under a damaged file: a clear StoreError."""
    from talkrag.ingest.errors import StoreError
    from talkrag.ingest.store import ChunkStore, open_client

    db = tmp_path / "db"
    store = ChunkStore(
        open_client(db, None), "talkrag", {"talkrag:backend": "onnx", "talkrag:model": "test"}
    )
    store.bump_generation(writing=False)
    assert store.count() == 0
    (db / "chroma.sqlite3").write_bytes(b"\x00garbage" * 4096)  # overwritten under the reader
    for call in (store.count, store.generation, lambda: store.bump_generation(writing=True)):
        with pytest.raises(StoreError, match=r"the Chroma index failed in ChunkStore\.") as info:
            call()
        assert "not a database" in str(info.value)
        assert "--rebuild" in str(info.value)
        assert type(info.value.__cause__).__name__ == "InternalError"


def _garble_rows_and_drop_arrays(db: Path) -> None:
    for folder in db.glob("lexical-*"):
        (folder / "rows.json").write_text("{not json")
        for part in folder.iterdir():
            if part.is_dir():
                shutil.rmtree(part)


def _truncate_matrices(db: Path) -> None:
    # The matrix is memory-mapped at load: a short file must mean a rebuild, not a crash.
    matrices = list(db.glob("lexical-*/bm25/*.npy"))
    assert matrices
    for part in matrices:
        part.write_bytes(part.read_bytes()[:200])


@pytest.mark.parametrize("damage", [_garble_rows_and_drop_arrays, _truncate_matrices])
def test_damaged_bm25_files_are_rebuilt_from_chroma(tmp_path: Path, damage):
    library = tmp_path / "talks"
    write_library(library, n_files=3)
    db = tmp_path / "db"
    assert _ingest(library, db).returncode == 0
    first = _talkrag("search", "caching latency", "--db", str(db), "--json")
    assert first.returncode == 0, first.stderr
    damage(db)
    again = _talkrag("search", "caching latency", "--db", str(db), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["results"] == json.loads(first.stdout)["results"]
    _lexical_matches_chroma(db)


def test_searches_during_an_ingest_keep_answering(tmp_path: Path):
    small, big = tmp_path / "small", tmp_path / "big"
    write_library(small, n_files=2)
    write_library(big, n_files=24)
    db = tmp_path / "db"
    assert _ingest(small, db).returncode == 0
    writer = subprocess.Popen(
        ingest_cmd(big, db), env=ingest_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    answered = 0
    try:
        while writer.poll() is None and answered < 3:
            done = _talkrag("search", "caching", "-k", "3", "--db", str(db), "--json")
            assert done.returncode == 0, done.stderr
            assert json.loads(done.stdout)["results"], "a search during the ingest found nothing"
            answered += 1
    finally:
        _out, err = writer.communicate(timeout=900)
    assert writer.returncode == 0, err
    assert answered >= 1, "the ingest finished before any search ran: make the library bigger"
    _lexical_matches_chroma(db)
