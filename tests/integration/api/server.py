"""A real `talkrag serve` process on a free port, and a real index for it to serve."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import FIXTURES, SAMPLES

START_TIMEOUT = 180.0  # seconds: the model loads from disk on a busy 2-core machine
# The parser tests' prompt-injection transcript, and this suite's markup-in-every-field one.
HOSTILE = (
    FIXTURES / "hostile" / "injection.md",
    Path(__file__).parent / "fixtures" / "web-injection.md",
)
# An AI Engineer talk with no times, and the manifest that gives its video's length.
UNTIMED = FIXTURES / "aiewf" / "youtube-Qm4nR8sTt2w-transcript.md"
MANIFEST = FIXTURES / "aiewf" / "manifest.jsonl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def talkrag(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the talkrag CLI in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "talkrag", *args],
        capture_output=True,
        text=True,
        env=env or clean_env(),
        timeout=600,
    )


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's TALKRAG_*/OPENAI_* settings, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALKRAG_", "OPENAI_"))}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **extra})
    return env


def build_index(root: Path) -> Path:
    """An index of the samples, the hostile web fixtures and an untimed talk; returns its db."""
    talks = root / "talks"
    shutil.copytree(SAMPLES, talks)
    for path in (*HOSTILE, UNTIMED):
        shutil.copy(path, talks / path.name)
    done = talkrag("ingest", str(talks), "--db", str(root / "db"), "--metadata", str(MANIFEST))
    assert done.returncode == 0, done.stderr
    return root / "db"


@dataclass
class Server:
    """A running server: its base URL, process and log."""

    url: str
    proc: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_server(db: Path, log: Path, *args: str, **env: str) -> Server:
    """`talkrag serve --db db` on a free loopback port, once /health answers."""
    port = free_port()
    command = [sys.executable, "-m", "talkrag", "serve", "--db", str(db), "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, *args], stdout=out, stderr=subprocess.STDOUT, env=clean_env(**env)
        )
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"talkrag serve exited {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.stop()
    raise AssertionError(f"talkrag serve not ready after {START_TIMEOUT:g}s:\n{log.read_text()}")
