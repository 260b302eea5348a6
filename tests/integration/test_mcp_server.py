"""`talkrag mcp` driven by the official MCP SDK's own client, over stdio and streamable HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.integration.cli_process import run_cli

pytestmark = pytest.mark.slow

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
SHARDING = "Why did sharding by document id make queries slow?"
TOOLS = {"search_talks", "ask", "list_talks", "get_talk"}


def _over_stdio(db: Path, body: Callable[[ClientSession], Awaitable[Any]], **env: str) -> Any:
    """Spawn `talkrag mcp --db db` as an MCP client does and run body in one session."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "talkrag", "mcp", "--db", str(db)], env=OFFLINE | env
    )

    async def session() -> Any:
        async with stdio_client(params) as streams, ClientSession(*streams) as client:
            await client.initialize()
            return await body(client)

    return anyio.run(session)


async def _whole_session(client: ClientSession) -> dict[str, Any]:
    """List the tools, call each one, make bad calls, and call again after them."""
    out: dict[str, Any] = {"tools": (await client.list_tools()).tools}
    calls = {
        "search": ("search_talks", {"query": "shard a vector index by tenant", "k": 3}),
        "ask": ("ask", {"question": SHARDING}),
        "talks": ("list_talks", {}),
        "talk": ("get_talk", {"talk_id": "vector-database-sharding"}),
        "k_zero": ("search_talks", {"query": "sharding", "k": 0}),
        "k_big": ("search_talks", {"query": "sharding", "k": 500}),
        "empty": ("search_talks", {"query": ""}),
        "unknown_talk": ("get_talk", {"talk_id": "no-such-talk"}),
        "llm_no_endpoint": ("ask", {"question": SHARDING, "mode": "llm"}),
        "bad_mode": ("ask", {"question": SHARDING, "mode": "poetry"}),
        "after": ("search_talks", {"query": "approval for tools", "speaker": "sofia"}),
    }
    for key, (name, arguments) in calls.items():
        out[key] = await client.call_tool(name, arguments)
    return out


@pytest.fixture(scope="module")
def session(sample_db: Path) -> dict[str, Any]:
    """One stdio session's results, shared by the assertions below."""
    return _over_stdio(sample_db, _whole_session)


def test_lists_the_four_tools_with_output_schemas(session):
    tools = {t.name: t for t in session["tools"]}
    assert set(tools) == TOOLS
    assert all(t.output_schema and t.description for t in tools.values())
    search = tools["search_talks"].input_schema["properties"]
    assert set(search) == {"query", "k", "speaker", "talk"}
    assert (search["k"]["minimum"], search["k"]["maximum"]) == (1, 50)


def test_search_returns_cited_passages(session):
    result = session["search"]
    assert not result.is_error
    passages = result.structured_content["results"]
    assert [p["n"] for p in passages] == [1, 2, 3]
    assert passages[0]["talk_id"] == "vector-database-sharding"
    assert {
        "chunk_id",
        "title",
        "speaker",
        "start",
        "end",
        "url",
        "source",
        "text",
        "score",
    } <= set(passages[0])


def test_ask_returns_the_cli_answer_and_citations(session, sample_db: Path):
    result = session["ask"]
    assert not result.is_error
    cli = run_cli("ask", SHARDING, "--db", str(sample_db))
    assert result.structured_content == cli


def test_list_and_get_talk_match_the_index(session, sample_db: Path):
    talks = session["talks"].structured_content["talks"]
    assert talks == run_cli("talks", "--db", str(sample_db))["talks"]
    talk = session["talk"].structured_content
    assert talk["title"] == "Sharding a Vector Database Past a Billion Embeddings"
    assert len(talk["passages"]) == talk["chunks"]
    starts = [p["start"] for p in talk["passages"]]
    assert starts == sorted(starts)
    assert "sharded by document id" in " ".join(p["text"] for p in talk["passages"])


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("k_zero", "greater than or equal to 1"),
        ("k_big", "less than or equal to 50"),
        ("empty", "at least 1 character"),
        ("unknown_talk", "no talk 'no-such-talk'"),
        ("llm_no_endpoint", "OPENAI_BASE_URL"),
        ("bad_mode", "'extractive' or 'llm'"),
    ],
)
def test_bad_arguments_are_tool_errors_naming_the_problem(session, key: str, says: str):
    result = session[key]
    assert result.is_error
    assert says in result.content[0].text


def test_the_server_keeps_serving_after_errors(session):
    after = session["after"]
    assert not after.is_error
    passages = after.structured_content["results"]
    assert passages
    assert all("Sofia" in p["speaker"] for p in passages)


@pytest.mark.llm
def test_ask_in_llm_mode_through_a_real_server(sample_db: Path, llm_server: str):
    async def ask(client: ClientSession) -> Any:
        return await client.call_tool("ask", {"question": SHARDING, "mode": "llm"})

    result = _over_stdio(sample_db, ask, OPENAI_BASE_URL=llm_server, OPENAI_API_KEY="local")
    assert not result.is_error
    answer = result.structured_content
    assert answer["mode"] in {"llm", "extractive"}  # a failed LLM falls back, with a notice
    assert answer["mode"] == "llm" or answer["notice"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "server exited"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    pytest.fail(f"talkrag mcp --http did not listen on {port} within {timeout:g}s")


def test_streamable_http_serves_the_same_tools(sample_db: Path, tmp_path: Path):
    port = _free_port()
    command = [sys.executable, "-m", "talkrag", "mcp", "--db", str(sample_db), "--http"]
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([*command, "--port", str(port)], stdout=log, stderr=log)

    async def session() -> tuple[set[str], Any]:
        async with (
            streamable_http_client(f"http://127.0.0.1:{port}/mcp") as streams,
            ClientSession(*streams) as client,
        ):
            await client.initialize()
            names = {t.name for t in (await client.list_tools()).tools}
            return names, await client.call_tool("list_talks", {})

    try:
        _wait_for_port(port, proc)
        names, talks = anyio.run(session)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    assert names == TOOLS
    assert len(talks.structured_content["talks"]) == 6


def test_mcp_without_an_index_fails_in_one_line(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "talkrag", "mcp", "--db", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("talkrag: error: ")
    assert "talkrag ingest" in done.stderr
