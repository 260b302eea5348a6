"""GET /v1/talks and /v1/talks/{talk_id}: what is in the index."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from talkrag.api.deps import ServiceDep
from talkrag.ingest.index import talk_row
from talkrag.rag.models import Talk, TalkList

router = APIRouter(tags=["talks"])


@router.get("/talks", response_model=TalkList)
def talks(service: ServiceDep) -> TalkList:
    """Every ingested talk, with its chunk count."""
    return TalkList(talks=[Talk(**talk_row(r)) for r in service.index.talks()])


@router.get("/talks/{talk_id}", response_model=Talk)
def talk(talk_id: str, service: ServiceDep) -> Talk:
    """One talk by id; 404 when no talk has it (ids are looked up, never used as paths)."""
    for record in service.index.talks():
        if record.talk.id == talk_id:
            return Talk(**talk_row(record))
    raise HTTPException(404, "no talk with that id: see GET /v1/talks")
