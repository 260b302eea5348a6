"""The parsers under atheris (coverage-guided libFuzzer), seeded with every fixture and sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from talkrag.ingest.parsers import SUPPORTED_SUFFIXES
from talkrag.ingest.pipeline import discover

from tests.conftest import FIXTURES, REPO, SAMPLES

pytestmark = pytest.mark.slow
HARNESS = REPO / "tests" / "fuzz" / "atheris_parsers.py"
RUNS = 20000  # about 20 s here; `python -m bench.faults` runs far more


def write_seeds(folder: Path) -> int:
    """Each fixture and sample as a seed: one byte naming its format, then its bytes."""
    folder.mkdir()
    samples, _ = discover([SAMPLES])  # the transcripts, not the folder's README
    seeds = [*FIXTURES.glob("*.*"), *(FIXTURES / "hostile").glob("*.*"), *samples]
    n = 0
    for path in seeds:
        if path.suffix in SUPPORTED_SUFFIXES:
            head = bytes([SUPPORTED_SUFFIXES.index(path.suffix)])
            (folder / f"seed-{n}").write_bytes(head + path.read_bytes())
            n += 1
    return n


def test_atheris_finds_no_crash_in_the_parsers(tmp_path: Path):
    pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris)")
    assert write_seeds(tmp_path / "seeds") > 20
    done = subprocess.run(
        [sys.executable, str(HARNESS), f"-runs={RUNS}", "-timeout=10", "-max_len=8192",
         f"-artifact_prefix={tmp_path}/", str(tmp_path / "seeds")],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Done {RUNS} runs" in done.stderr
