"""ChunkStore's guard: the storage's own failures become StoreError; our bugs stay themselves."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from chromadb import errors as chroma_errors
from talkrag.ingest.errors import IndexMismatch, StoreError
from talkrag.ingest.store import ChunkStore, recorded_fingerprint, set_aside


class _Collection:
    """A chunk collection whose reads raise the given error."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.metadata: dict[str, Any] = {}

    def count(self) -> int:
        raise self.error

    def get(self, **_: Any) -> dict[str, Any]:
        raise self.error


class _Client:
    """A client with one talkrag index whose collections all fail the same way."""

    def __init__(self, error: Exception, listing: Exception | None = None) -> None:
        self.collection = _Collection(error)
        self.listing = listing

    def list_collections(self) -> list[str]:
        if self.listing is not None:
            raise self.listing
        return ["talkrag-chunks", "talkrag-files", "talkrag-state"]

    def get_or_create_collection(self, name: str, **_: Any) -> _Collection:
        return self.collection


def _store(error: Exception) -> ChunkStore:
    return ChunkStore(_Client(error), "talkrag", None, create=False)


# What Chroma raises when its storage fails: the Rust binding maps every error onto these
# chromadb.errors types (SQLite's "database is locked" is an InternalError), the OS and SQLite
# raise their own, and the HTTP client raises httpx's or a bare Exception(response text).
FOREIGN = [
    chroma_errors.InternalError("error returned from database: (code: 5) database is locked"),
    chroma_errors.NotFoundError("Collection [talkrag-chunks] does not exist"),
    chroma_errors.InvalidArgumentError("Collection expecting embedding with dimension of 384"),
    chroma_errors.ChromaAuthError("Forbidden"),
    chroma_errors.AuthorizationError("Unauthorized"),
    chroma_errors.ChromaError("an error the server could not name"),
    OSError(28, "No space left on device"),
    sqlite3.OperationalError("database is locked"),
    sqlite3.DatabaseError("file is not a database"),
    httpx.ConnectError("[Errno 111] Connection refused"),
    httpx.ReadTimeout("timed out"),
    Exception("502 Bad Gateway"),
]


@pytest.mark.parametrize("error", FOREIGN, ids=lambda e: type(e).__name__)
def test_a_storage_failure_becomes_store_error_naming_what_failed(error: Exception):
    with pytest.raises(StoreError) as info:
        _store(error).count()
    message = str(info.value)
    assert message.startswith("the Chroma index failed in ChunkStore.count")
    assert f"{type(error).__name__}: {error}" in message
    assert info.value.__cause__ is error


def test_a_failure_while_opening_names_the_constructor():
    error = chroma_errors.InternalError("database is locked")
    with pytest.raises(StoreError, match=r"in ChunkStore\.__init__ \(InternalError: database"):
        ChunkStore(_Client(error, listing=error), "talkrag", None)


def test_module_functions_are_guarded_too():
    error = sqlite3.OperationalError("disk I/O error")
    with pytest.raises(StoreError, match=r"in recorded_fingerprint \(OperationalError: disk I/O"):
        recorded_fingerprint(_Client(error, listing=error), "talkrag")


def test_a_damaged_database_says_how_to_rebuild():
    error = chroma_errors.InternalError("database disk image is malformed")
    with pytest.raises(StoreError, match=r"damaged.*--rebuild"):
        _store(error).count()


OURS = [
    ValueError("a bad argument of ours"),
    IndexError("list index out of range"),
    KeyError("metadatas"),
    TypeError("unsupported operand"),
    AttributeError("no attribute 'ids'"),
    StoreError("already a clear message"),
    IndexMismatch("built with another model"),
]


@pytest.mark.parametrize("error", OURS, ids=lambda e: type(e).__name__)
def test_our_own_errors_and_bugs_propagate_unchanged(error: Exception):
    with pytest.raises(type(error)) as info:
        _store(error).count()
    assert info.value is error
    assert info.value.__cause__ is None


def test_an_exception_subclass_that_is_not_chromas_is_not_mapped():
    class Bug(Exception):
        pass

    error = Bug("a bug of ours")
    with pytest.raises(Bug):
        _store(error).count()


def test_importing_the_store_does_not_import_chromadb():
    # The query path's cold start: chromadb (0.7 s) loads only when an index is opened.
    code = (
        "import sys, talkrag.ingest.store; print(sorted({'chromadb', 'httpx'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_damaged_index_that_cannot_be_moved_aside_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    db = tmp_path / "db"
    db.mkdir()
    (db / "chroma.sqlite3").write_bytes(b"\x00garbage")
    monkeypatch.setattr(time, "strftime", lambda _: "20260101T000000")
    (tmp_path / "db.damaged-20260101T000000").write_text("in the way")
    with pytest.raises(StoreError, match=r"cannot move the damaged index aside .*by hand") as info:
        set_aside(db)
    assert isinstance(info.value.__cause__, FileExistsError)
    assert (db / "chroma.sqlite3").exists()  # nothing was lost on the way
