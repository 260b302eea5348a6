"""An ingest killed with SIGKILL at any moment, then rerun, leaves exactly a clean run's index."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.indexes import assert_same_index, snapshot

pytestmark = pytest.mark.slow

TOPICS = ["retrieval", "evaluation", "latency", "caching", "agents", "fine-tuning", "tokenizers"]


def _write_library(folder: Path, n_files: int = 16) -> None:
    """Deterministic SRT talks, so the test needs no corpus."""
    rng = random.Random(7)
    folder.mkdir()
    for f in range(n_files):
        cues = []
        for i in range(60):
            topic, other = rng.sample(TOPICS, 2)
            text = (
                f"In talk {f} point {i} we compared {topic} with {other} and measured "
                f"{rng.randint(2, 900)} milliseconds on {rng.randint(1, 64)} machines."
            )
            start = i * 5
            cues.append(
                f"{i + 1}\n00:{start // 60:02d}:{start % 60:02d},000 --> "
                f"00:{(start + 4) // 60:02d}:{(start + 4) % 60:02d},500\n{text}\n"
            )
        (folder / f"talk-{f:02d}.srt").write_text("\n".join(cues))


def _ingest_cmd(library: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "talkrag", "ingest", str(library), "--db", str(db), "-v"]


def _env() -> dict[str, str]:
    # Small embedding groups, so writes and embedding interleave and kills land everywhere.
    return {**os.environ, "TALKRAG_EMBED_GROUP": "8", "HF_HUB_OFFLINE": "1"}


def _kill_after_writes(library: Path, db: Path, writes: int, jitter: float) -> None:
    """Start an ingest and SIGKILL it once it has written `writes` files, plus a little."""
    proc = subprocess.Popen(
        _ingest_cmd(library, db),
        stderr=subprocess.PIPE,
        text=True,
        stdout=subprocess.DEVNULL,
        env=_env(),
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
    _write_library(library)
    clean_db = tmp_path / "clean"
    subprocess.run(_ingest_cmd(library, clean_db), check=True, env=_env(), capture_output=True)
    want = snapshot(clean_db)
    assert len(want["talkrag-files"]) == 16
    rng = random.Random(11)
    for trial in range(4):
        db = tmp_path / f"killed-{trial}"
        for _ in range(2):  # killed twice in a row on the same index, then finished
            _kill_after_writes(library, db, rng.randint(1, 15), rng.choice([0, 0.01, 0.05]))
        subprocess.run(_ingest_cmd(library, db), check=True, env=_env(), capture_output=True)
        assert_same_index(snapshot(db), want)


def test_a_second_writer_is_refused(tmp_path: Path):
    library = tmp_path / "talks"
    _write_library(library, n_files=4)
    db = tmp_path / "db"
    from talkrag.ingest.errors import StoreError
    from talkrag.ingest.store import ingest_lock

    with ingest_lock(db):
        done = subprocess.run(_ingest_cmd(library, db), env=_env(), capture_output=True, text=True)
    assert done.returncode == 1
    assert "another talkrag ingest is writing to this index" in done.stderr
    with pytest.raises(StoreError), ingest_lock(db), ingest_lock(db):
        pass
