"""Fault trials beyond what the tests run: many SIGKILLs mid-ingest, and a long atheris run.

python -m bench.faults [--kills N] [--fuzz-runs N]
Prints how many trials ran and how many converged to the clean run's index (all must).
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.integration.indexes import (
    assert_same_index,
    ingest_cmd,
    ingest_env,
    snapshot,
    write_library,
)
from tests.integration.test_fuzz_atheris import HARNESS, write_seeds


def _kill_at(library: Path, db: Path, after_s: float) -> None:
    proc = subprocess.Popen(
        ingest_cmd(library, db),
        env=ingest_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def kill_trials(work: Path, trials: int, seed: int) -> tuple[int, int]:
    """Kill ingests at random moments, rerun, compare with a clean run: (trials, converged)."""
    library = work / "talks"
    write_library(library)
    began = time.perf_counter()
    subprocess.run(ingest_cmd(library, work / "clean"), env=ingest_env(), check=True)
    full_s = time.perf_counter() - began
    want = snapshot(work / "clean")
    rng = random.Random(seed)
    converged = 0
    for trial in range(trials):
        db = work / f"killed-{trial}"
        for _ in range(rng.randint(1, 3)):
            _kill_at(library, db, rng.uniform(0.5, full_s))
        subprocess.run(ingest_cmd(library, db), env=ingest_env(), check=True, capture_output=True)
        try:
            assert_same_index(snapshot(db), want)
            converged += 1
        except AssertionError as exc:
            print(f"trial {trial}: DIVERGED {exc}", file=sys.stderr)
    return trials, converged


def fuzz(work: Path, runs: int) -> tuple[int, int]:
    """A long atheris run over the parsers: (runs, exit status)."""
    write_seeds(work / "seeds")
    done = subprocess.run(
        [sys.executable, str(HARNESS), f"-runs={runs}", "-timeout=10", "-max_len=8192",
         f"-artifact_prefix={work}/", str(work / "seeds")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return runs, done.returncode


def main() -> None:
    """Run the trials and print the table the README quotes."""
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--fuzz-runs", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        trials, converged = kill_trials(work, args.kills, args.seed)
        print(f"SIGKILL mid-ingest, rerun: {converged}/{trials} converged to the clean index")
        runs, status = fuzz(work, args.fuzz_runs)
        print(f"atheris over the parsers: {runs:,} runs, exit status {status} (0: no crash)")


if __name__ == "__main__":
    main()
