"""A damaged sentence file costs speed, not the answer, and says so once in the log."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from talkrag.ingest.errors import StoreError
from talkrag.ingest.sentences import SentenceStore

LOGGER = "talkrag.ingest.sentences"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


def _garbage(path: Path) -> Path:
    path.write_bytes(b"\x00garbage" * 4096)
    return path


def _no_table(path: Path) -> Path:
    sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.close()
    return path


@pytest.mark.parametrize(
    ("damage", "error"),
    [(_garbage, "file is not a database"), (_no_table, "no such table: sentences")],
)
def test_a_damaged_file_reads_as_empty_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage, error: str
):
    path = damage(tmp_path / "sentences.sqlite3")
    store = SentenceStore.open(path)
    assert store is not None
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert store.get(["c1", "c2"]) == {}
        assert store.get(["c3"]) == {}  # every question falls back; the log says so once
    (warning,) = _warnings(caplog)
    assert str(path) in warning.getMessage()
    assert error in warning.getMessage()
    assert "--rebuild" in warning.getMessage()


def test_each_store_warns_for_itself(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    path = _garbage(tmp_path / "sentences.sqlite3")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(2):  # a reopened index (the API after an ingest) warns again
            store = SentenceStore.open(path)
            assert store is not None
            store.get(["c1"])
            store.get(["c1"])
    assert len(_warnings(caplog)) == 2


def test_a_healthy_file_reads_without_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    store = SentenceStore(tmp_path / "sentences.sqlite3")
    store.put("a.srt", {"c1": ([(None, 0, 4)], np.ones((1, 4), dtype=np.float32) / 2)})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert set(store.get(["c1", "missing"])) == {"c1"}
    assert _warnings(caplog) == []


def test_a_damaged_file_still_fails_a_write_clearly(tmp_path: Path):
    # Ingest must not build on a damaged file: it is told, in one line, which file failed.
    path = _garbage(tmp_path / "sentences.sqlite3")
    with pytest.raises(StoreError, match="cannot open the sentence vectors"):
        SentenceStore(path)
