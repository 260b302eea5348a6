"""An ingest killed with SIGKILL at any moment, then rerun, leaves exactly a clean run's index."""

from __future__ import annotations

import random
import signal
import subprocess
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


def _kill_after_writes(library: Path, db: Path, writes: int, jitter: float) -> None:
    """Start an ingest and SIGKILL it once it has written `writes` files, plus a little."""
    proc = subprocess.Popen(
        ingest_cmd(library, db),
        stderr=subprocess.PIPE,
        text=True,
        stdout=subprocess.DEVNULL,
        env=ingest_env(),
    )
    assert proc.stderr is not None
    seen = 0
    for line in proc.stderr:
        seen += " wrote " in line
        if seen >= writes:
            break
    if jitter:
        import time

        time.sleep(jitter)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_sigkill_at_random_moments_then_rerun_converges(tmp_path: Path):
    library = tmp_path / "talks"
    write_library(library)
    clean_db = tmp_path / "clean"
    subprocess.run(ingest_cmd(library, clean_db), check=True, env=ingest_env(), capture_output=True)
    want = snapshot(clean_db)
    assert len(want["talkrag-files"]) == 16
    rng = random.Random(11)
    for trial in range(4):
        db = tmp_path / f"killed-{trial}"
        for _ in range(2):  # killed twice in a row on the same index, then finished
            _kill_after_writes(library, db, rng.randint(1, 15), rng.choice([0, 0.01, 0.05]))
        subprocess.run(ingest_cmd(library, db), check=True, env=ingest_env(), capture_output=True)
        assert_same_index(snapshot(db), want)


def test_a_second_writer_is_refused(tmp_path: Path):
    library = tmp_path / "talks"
    write_library(library, n_files=4)
    db = tmp_path / "db"
    from talkrag.ingest.errors import StoreError
    from talkrag.ingest.store import ingest_lock

    with ingest_lock(db):
        done = subprocess.run(
            ingest_cmd(library, db), env=ingest_env(), capture_output=True, text=True
        )
    assert done.returncode == 1
    assert "another talkrag ingest is writing to this index" in done.stderr
    with pytest.raises(StoreError), ingest_lock(db), ingest_lock(db):
        pass
