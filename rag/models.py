"""The wire contract of answers: Hit (a ranked chunk), shared by the CLI, API and evals."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Hit(BaseModel):
    """One retrieved chunk: where it comes from, the moment it covers, and its text."""

    rank: int = Field(description="1-based rank in the result list")
    score: float = Field(description="similarity to the question; higher is closer")
    chunk_id: str
    source: str = Field(description="path of the transcript file")
    talk_id: str
    title: str
    speakers: list[str]
    start: float | None = Field(description="seconds into the talk, when known")
    end: float | None
    url: str | None = Field(description="link to the talk, at the moment when known")
    text: str
