"""Evaluation datasets: JSONL questions with gold sources and evidence spans in the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from talkrag.ingest.errors import InputError
from talkrag.ingest.parsers.build import clean_text

HALVES = ("tune", "heldout")


class DatasetError(InputError):
    """A dataset file or line that cannot be used; the message names file and line."""


class Evidence(BaseModel):
    """Where the answer passage sits: a file under the corpus root and character offsets."""

    file: str
    char_start: int = Field(ge=0)
    char_end: int = Field(ge=0)

    def text(self, corpus: Path) -> str:
        """The passage as the index holds it, read from the corpus (never stored in the dataset):
        cleaned as ingest cleans a segment, so rolled caption lines count once."""
        raw = (corpus / self.file).read_text(encoding="utf-8")
        return clean_text(raw[self.char_start : self.char_end])


class Question(BaseModel):
    """One evaluation question."""

    id: str
    question: str
    answerable: bool = True
    sources: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    reference_answer: str | None = None
    category: str = "general"
    # The half the question is in (split by talk, see datasets/README.md): tune on `tune`,
    # report `heldout` apart. None for sets that have no split.
    split: Literal["tune", "heldout"] | None = None
    named: list[str] = Field(default_factory=list)  # speaker or company names it mentions
    about: list[str] = Field(default_factory=list)  # near misses: the talk it pretends to ask
    # Strings a transcript tries to make the answer say (prompt injection): the answer may
    # quote them only where a passage it cites says them.
    forbidden: list[str] = Field(default_factory=list)


def load_dataset(path: Path, split: str | None = None) -> list[Question]:
    """Read a JSONL dataset, only the `split` half when given; a bad line raises DatasetError."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read ({exc})") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(Question.model_validate(json.loads(line)))
        except (ValueError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            raise DatasetError(f"{path}: line {number}: {first}") from exc
    if split is None:
        return questions
    if split not in HALVES:
        raise DatasetError(f"split must be one of {', '.join(HALVES)}, not {split!r}")
    return [q for q in questions if q.split == split]
