"""QMSum adapter: meetings -> speaker-turn transcripts to ingest; span recall of retrieval.

QMSum (Yale-LILY, MIT) marks, for each specific query, the meeting turns that answer it
(`relevant_text_span`: inclusive turn ranges). A retrieved chunk covers a turn when it holds
most of the turn's 4-word shingles. Span recall@k is the share of the query's relevant turns
that the top k chunks cover; MRR@10 is the reciprocal rank of the first chunk covering any.
Turns under MIN_TURN_WORDS words ("Okay .") are left out: they match everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from talkrag.evals.dataset import DatasetError
from talkrag.evals.retrieval import holds_passage, shingles

MIN_TURN_WORDS = 8


@dataclass(frozen=True, slots=True)
class Query:
    """One specific QMSum query: the meeting it is about and the turns that answer it."""

    meeting: str  # the talk id of the meeting's transcript
    text: str
    turns: tuple[int, ...]


def _rows(path: Path) -> Iterator[dict]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}: line {number}: not JSON ({exc.msg})") from exc


def meeting_id(index: int) -> str:
    """The file stem, and so the talk id, of the index-th meeting."""
    return f"qmsum-val-{index:03d}"


def write_meetings(path: Path, folder: Path, limit: int | None = None) -> dict[str, list[str]]:
    """Each meeting as a Markdown transcript of `**Speaker:** text` turns; the turns by id."""
    folder.mkdir(parents=True, exist_ok=True)
    turns: dict[str, list[str]] = {}
    for index, row in enumerate(_rows(path)):
        if limit is not None and index >= limit:
            break
        mid = meeting_id(index)
        texts = [" ".join(t["content"].split()) for t in row["meeting_transcripts"]]
        lines = [f'---\ntitle: "QMSum validation meeting {index}"\n---\n']
        lines += [
            f"**{t['speaker'].strip() or 'Unknown'}:** {text}\n"
            for t, text in zip(row["meeting_transcripts"], texts, strict=True)
        ]
        (folder / f"{mid}.md").write_text("\n".join(lines), encoding="utf-8")
        turns[mid] = texts
    return turns


def queries(path: Path, turns: dict[str, list[str]]) -> list[Query]:
    """The specific queries of the meetings written, with their relevant, long-enough turns."""
    out = []
    for index, row in enumerate(_rows(path)):
        mid = meeting_id(index)
        if mid not in turns:
            break
        for q in row["specific_query_list"]:
            wanted = {
                i
                for start, end in q["relevant_text_span"]
                for i in range(int(start), int(end) + 1)
                if i < len(turns[mid]) and len(turns[mid][i].split()) >= MIN_TURN_WORDS
            }
            if wanted:
                out.append(Query(mid, q["query"], tuple(sorted(wanted))))
    return out


def span_scores(
    query: Query, chunk_texts: Sequence[str], turns: list[str], ks: Sequence[int] = (1, 5, 10)
) -> dict[str, float]:
    """span_recall@k for each k and MRR@10, for one query's ranked chunk texts."""
    wanted = {i: shingles(turns[i]) for i in query.turns}
    covered = [
        {i for i, s in wanted.items() if holds_passage(text, s)} for text in chunk_texts[:10]
    ]
    out = {}
    for k in ks:
        found = set().union(*covered[:k]) if covered[:k] else set()
        out[f"span_recall@{k}"] = len(found) / len(wanted)
    out["mrr@10"] = next((1 / r for r, c in enumerate(covered, start=1) if c), 0.0)
    return out
