"""`talkrag search` and `talkrag ask` run without loading llama_index or mcp (cold start)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_PROBE = r"""
import json, sys
from typer.testing import CliRunner
from talkrag.cli import app
codes = [
    CliRunner().invoke(app, [cmd, "how did they shard", "--db", sys.argv[1], "--json"]).exit_code
    for cmd in ("search", "ask")
]
roots = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"codes": codes, "loaded": [r for r in roots if r in ("llama_index", "mcp")]}))
"""


def test_search_and_ask_import_neither_integration(sample_db: Path):
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(sample_db)],
        capture_output=True,
        text=True,
        check=True,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["codes"] == [0, 0]
    assert probe["loaded"] == []
