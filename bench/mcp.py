"""`talkrag mcp` latency through the SDK's stdio client, and TalkRetriever's cost over search."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

QUESTIONS = [
    "how do you shard a vector index by tenant",
    "what is the first trap when people evaluate retrieval",
    "when does prompt caching save money",
    "how should an agent ask before calling a tool that writes",
]


def _ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000


async def _session(db: Path, rounds: int) -> dict[str, Any]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "talkrag", "mcp", "--db", str(db)],
        env={"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
    )
    began = time.perf_counter()
    async with stdio_client(params) as streams, ClientSession(*streams) as client:
        await client.initialize()
        figures: dict[str, Any] = {"spawn + initialize ms": _ms(began)}
        began = time.perf_counter()
        await client.call_tool("search_talks", {"query": QUESTIONS[0]})
        figures["first search_talks ms (loads model, BM25)"] = _ms(began)
        for tool, key in (("search_talks", "query"), ("ask", "question")):
            times = []
            for i in range(rounds):
                began = time.perf_counter()
                await client.call_tool(tool, {key: QUESTIONS[i % len(QUESTIONS)]})
                times.append(_ms(began))
            figures[f"warm {tool} median ms"] = statistics.median(times)
    return figures


def _retriever_overhead(db: Path, rounds: int) -> dict[str, float]:
    from talkrag.faces.llamaindex import TalkRetriever  # noqa: PLC0415

    adapter = TalkRetriever.from_dir(db, k=5)
    adapter.retrieve(QUESTIONS[0])  # warm-up: the first query loads the model's weights
    plain, wrapped = [], []
    for i in range(rounds):
        question = QUESTIONS[i % len(QUESTIONS)]
        began = time.perf_counter()
        adapter.talkrag.search(question, 5)
        plain.append(_ms(began))
        began = time.perf_counter()
        adapter.retrieve(question)
        wrapped.append(_ms(began))
    return {
        "Retriever.search median ms": statistics.median(plain),
        "TalkRetriever.retrieve median ms": statistics.median(wrapped),
    }


def main() -> None:
    """Print the figures for the index at --db."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path(".talkrag"))
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    figures = anyio.run(_session, args.db, args.rounds)
    figures |= _retriever_overhead(args.db, args.rounds)
    for name, value in figures.items():
        print(f"{name:45s} {value:9.1f}")


if __name__ == "__main__":
    main()
