"""talkrag's Hit, Citation and Answer as LlamaIndex nodes and responses, and back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from llama_index.core.base.response.schema import Response
from llama_index.core.schema import NodeRelationship, NodeWithScore, RelatedNodeInfo, TextNode
from talkrag.rag.models import Answer, Citation, Hit
from talkrag.rag.present import sources_text

# Metadata an LLM gains nothing from when LlamaIndex formats a node as context.
_NOT_FOR_LLM = [
    "chunk_id",
    "source",
    "url",
    "rank",
    "n",
    "quote",
    "marks",
]  # quote: in the text already


def _meta(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def hit_to_node(
    hit: Hit, neighbours: tuple[str | None, str | None] = (None, None)
) -> NodeWithScore:
    """A retrieved chunk as a scored TextNode; neighbours are the previous and next chunk ids."""
    node = TextNode(
        id_=hit.chunk_id,
        text=hit.text,
        metadata=_meta(
            chunk_id=hit.chunk_id,
            talk_id=hit.talk_id,
            title=hit.title,
            speakers=list(hit.speakers),
            start=hit.start,
            end=hit.end,
            url=hit.url,
            time_estimated=hit.time_estimated or None,
            source=hit.source,
            rank=hit.rank,
            marks=json.dumps(hit.marks) if hit.marks else None,
        ),
        excluded_llm_metadata_keys=_NOT_FOR_LLM,
        excluded_embed_metadata_keys=_NOT_FOR_LLM,
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=hit.talk_id)
    previous, following = neighbours
    if previous:
        node.relationships[NodeRelationship.PREVIOUS] = RelatedNodeInfo(node_id=previous)
    if following:
        node.relationships[NodeRelationship.NEXT] = RelatedNodeInfo(node_id=following)
    return NodeWithScore(node=node, score=hit.score)


def node_to_hit(node: NodeWithScore) -> Hit:
    """The talkrag Hit a node from TalkRetriever stands for."""
    meta = node.node.metadata
    return Hit(
        rank=int(meta.get("rank", 1)),
        score=float(node.score or 0.0),
        chunk_id=node.node.node_id,
        source=meta["source"],
        talk_id=meta["talk_id"],
        title=meta["title"],
        speakers=list(meta.get("speakers", [])),
        start=meta.get("start"),
        end=meta.get("end"),
        url=meta.get("url"),
        time_estimated=bool(meta.get("time_estimated")),
        text=node.node.get_content(),
        marks=[(int(a), float(t)) for a, t in json.loads(meta["marks"])]
        if meta.get("marks")
        else [],
    )


def citation_to_node(citation: Citation) -> NodeWithScore:
    """One numbered citation of an answer as a source node."""
    node = TextNode(
        id_=f"{citation.chunk_id}#{citation.n}",  # one chunk may be cited twice, per speaker
        text=citation.text,
        metadata=_meta(
            n=citation.n,
            chunk_id=citation.chunk_id,
            talk_id=citation.talk_id,
            title=citation.title,
            speaker=citation.speaker,
            start=citation.start,
            end=citation.end,
            url=citation.url,
            time_estimated=citation.time_estimated or None,
            source=citation.source,
            quote=citation.quote,
        ),
        excluded_llm_metadata_keys=_NOT_FOR_LLM,
        excluded_embed_metadata_keys=_NOT_FOR_LLM,
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=citation.talk_id)
    return NodeWithScore(node=node, score=None)


def node_to_citation(node: NodeWithScore) -> Citation:
    """The talkrag Citation a source node stands for (the `ask --json` shape)."""
    meta = node.node.metadata
    return Citation(
        n=int(meta["n"]),
        chunk_id=meta["chunk_id"],
        source=meta["source"],
        talk_id=meta["talk_id"],
        title=meta["title"],
        speaker=meta.get("speaker"),
        start=meta.get("start"),
        end=meta.get("end"),
        url=meta.get("url"),
        time_estimated=bool(meta.get("time_estimated")),
        text=node.node.get_content(),
        quote=meta.get("quote"),
    )


@dataclass
class CitedResponse(Response):
    """A Response whose text form lists its sources, so an agent's LLM can cite them too."""

    def __str__(self) -> str:
        cited = [node_to_citation(n) for n in self.source_nodes]
        text = self.response or ""
        return f"{text}\n\nSources:\n{sources_text(cited)}" if cited else text


def answer_metadata(result: Answer) -> dict[str, Any]:
    """What a LlamaIndex response carries beside the text: refusal, mode, notice, and each
    sentence's verdict (as `sentences` in talkrag's JSON)."""
    return {
        "refused": result.refused,
        "mode": result.mode,
        "notice": result.notice,
        "sentences": [s.model_dump() for s in result.sentences],
    }


def to_response(result: Answer) -> CitedResponse:
    """talkrag's checked answer as a LlamaIndex Response, its citations as source_nodes."""
    return CitedResponse(
        response=result.answer,
        source_nodes=[citation_to_node(c) for c in result.citations],
        metadata=answer_metadata(result),
    )
