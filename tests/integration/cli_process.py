"""Run `talkrag` in a fresh process, as a user does, to compare other faces against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run_cli(*args: str) -> dict:
    """`talkrag ARGS --json` in a fresh process; its one JSON object parsed."""
    done = subprocess.run(
        [sys.executable, "-m", "talkrag", *args, "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
