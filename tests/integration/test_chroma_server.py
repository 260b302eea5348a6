"""Server mode: a real `chroma run` reached with HttpClient via --chroma-url."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talkrag.cli import app
from tests.conftest import SAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.chroma_server]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    """A `chroma run` server on a free loopback port, stopped after the test."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("the `chroma` command from the chromadb package is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/api/v2/heartbeat")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_until_up(heartbeat: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(heartbeat, timeout=1):  # noqa: S310 (loopback only)
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("chroma run did not answer within 30 s")


def test_ingest_and_list_through_a_chroma_server(tmp_path: Path, chroma_url: str):
    library = tmp_path / "talks"
    shutil.copytree(SAMPLES, library)
    runner = CliRunner()
    args = ["ingest", str(library), "--chroma-url", chroma_url, "--json"]
    first = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert first["failed"] == []
    assert first["chunks_added"] > 0
    again = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert again["chunks_added"] == 0
    assert again["unchanged"] == first["files"]
    talks = runner.invoke(app, ["talks", "--chroma-url", chroma_url, "--json"]).stdout
    assert sum(t["chunks"] for t in json.loads(talks)["talks"]) == first["chunks_added"]
    assert not (tmp_path / ".talkrag").exists()  # nothing went to a local data directory


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path):
    result = CliRunner().invoke(app, ["talks", "--chroma-url", f"http://127.0.0.1:{_free_port()}"])
    assert result.exit_code == 1
    assert result.stderr.startswith("talkrag: error: http://127.0.0.1:")
