"""GET /v1/talks and /v1/talks/{talk_id}: what is in the index."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from talkrag.api.deps import ServiceDep
from talkrag.api.schemas import Talk, TalkList
from talkrag.ingest.records import FileRecord

router = APIRouter(tags=["talks"])


def _talk(record: FileRecord) -> Talk:
    t = record.talk
    return Talk(
        talk_id=t.id,
        title=t.title,
        speakers=list(t.speakers),
        date=t.date,
        event=t.event,
        url=t.url,
        source=record.source,
        chunks=record.chunks,
    )


@router.get("/talks", response_model=TalkList)
def talks(service: ServiceDep) -> TalkList:
    """Every ingested talk, with its chunk count."""
    return TalkList(talks=[_talk(r) for r in service.index.talks()])


@router.get("/talks/{talk_id}", response_model=Talk)
def talk(talk_id: str, service: ServiceDep) -> Talk:
    """One talk by id; 404 when no talk has it (ids are looked up, never used as paths)."""
    for record in service.index.talks():
        if record.talk.id == talk_id:
            return _talk(record)
    raise HTTPException(404, "no talk with that id: see GET /v1/talks")
