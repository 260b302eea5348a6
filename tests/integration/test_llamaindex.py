"""talkrag in real llama-index-core: retriever, query engines, tool and chat on a real index."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core import Settings
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import NodeRelationship
from llama_index.core.tools import QueryEngineTool
from talkrag.faces.llamaindex import (
    TalkQueryEngine,
    TalkRetriever,
    TalkSynthesizer,
    node_to_citation,
    node_to_hit,
)
from talkrag.faces.llamaindex_chat import TalkChatEngine
from talkrag.rag.answer import answer

from tests.integration.cli_process import run_cli

pytestmark = pytest.mark.slow

SHARDING = "Why did sharding by document id make queries slow?"


@pytest.fixture(scope="module")
def engine(sample_db: Path) -> TalkQueryEngine:
    """talkrag's query engine over the sample index, opened once."""
    return TalkQueryEngine.from_dir(sample_db)


@pytest.fixture(scope="module")
def cli_answer(sample_db: Path) -> dict:
    """`talkrag ask --json` for the sharding question, run once in its own process."""
    return run_cli("ask", SHARDING, "--db", str(sample_db))


def test_retriever_nodes_carry_the_cli_search_results(sample_db: Path, engine):
    retriever = TalkRetriever(engine.retriever, k=4)
    nodes = retriever.retrieve("how do you shard a vector index by tenant")
    cli = run_cli(
        "search", "how do you shard a vector index by tenant", "-k", "4", "--db", str(sample_db)
    )
    assert [node_to_hit(n).model_dump(exclude={"chunk_id", "before", "after"}) for n in nodes] == (
        cli["results"]
    )
    meta = nodes[0].node.metadata
    assert {"talk_id", "title", "speakers", "start", "end", "source"} <= set(meta)
    assert meta["talk_id"] == "vector-database-sharding"
    assert nodes[0].node.relationships[NodeRelationship.SOURCE].node_id == meta["talk_id"]


def test_previous_and_next_relationships_point_at_the_neighbouring_chunks(engine):
    talkrag = engine.retriever
    nodes = TalkRetriever(talkrag, k=10).retrieve("evaluation retrieval trap")
    linked = 0
    for node in nodes:
        before, after = talkrag.neighbours(node.node.node_id)
        rels = node.node.relationships
        for kind, text in ((NodeRelationship.PREVIOUS, before), (NodeRelationship.NEXT, after)):
            if text is None:
                assert kind not in rels
                continue
            linked += 1
            neighbour_id = rels[kind].node_id
            assert talkrag.rows.texts[talkrag.rows.row_of[neighbour_id]] == text
            assert talkrag.rows.meta(neighbour_id)["talk_id"] == (node.node.metadata["talk_id"])
    assert linked > 0  # the samples have talks of several chunks


def test_retriever_filters_like_the_cli(sample_db: Path):
    nodes = TalkRetriever.from_dir(sample_db, k=10, speaker="sofia").retrieve("approval for tools")
    assert nodes
    assert all(any("Sofia" in s for s in n.node.metadata["speakers"]) for n in nodes)


def test_retriever_query_engine_answers_as_talkrag_ask(engine, cli_answer: dict):
    retriever = TalkRetriever(engine.retriever, k=engine.settings.k)
    query_engine = RetrieverQueryEngine(retriever, TalkSynthesizer.for_retriever(retriever))
    response = query_engine.query(SHARDING)
    cli = cli_answer
    assert response.response == cli["answer"]
    assert [node_to_citation(n).model_dump() for n in response.source_nodes] == cli["citations"]
    assert response.metadata["sentences"] == cli["sentences"]  # the same verdicts
    assert cli["sentences"]
    assert all(s["supported"] for s in cli["sentences"])
    assert Settings._llm is None  # the OpenAI-defaulting global was never resolved


def test_query_engine_tool_answers_with_the_cli_citations(engine, cli_answer: dict):
    tool = QueryEngineTool.from_defaults(
        engine, name="conference_talks", description="answers from conference talk transcripts"
    )
    output = tool.call(input=SHARDING)
    cli = cli_answer
    assert output.tool_name == "conference_talks"
    assert output.raw_output.response == cli["answer"]
    # the text an agent's LLM reads: the answer, then its sources to cite
    assert output.content.startswith(cli["answer"] + "\n\nSources:\n[1] Sharding a Vector")
    citations = [node_to_citation(n).model_dump() for n in output.raw_output.source_nodes]
    assert citations == cli["citations"]
    assert citations[0]["talk_id"] == "vector-database-sharding"


def test_refusal_is_a_response_without_sources(engine):
    response = engine.query("What is the boiling point of mercury in kelvin?")
    assert response.metadata["refused"] is True
    assert response.source_nodes == []


def test_chat_engine_follow_up_uses_the_memory(engine):
    chat = TalkChatEngine(engine)
    first = chat.chat("How did they shard the vector database?")
    follow = chat.chat("and what did that cost them?")
    history = [
        {"role": "user", "content": "How did they shard the vector database?"},
        {"role": "assistant", "content": first.response},
    ]
    want = answer(
        "and what did that cost them?", engine.retriever, engine.settings, history=history
    )
    assert follow.response == want.answer
    assert [node_to_citation(n) for n in follow.source_nodes] == want.citations
    assert follow.source_nodes[0].node.metadata["talk_id"] == "vector-database-sharding"
    assert [m.content for m in chat.chat_history][::2] == [h["content"] for h in history[:1]] + [
        "and what did that cost them?"
    ]
    chat.reset()
    assert chat.chat_history == []
