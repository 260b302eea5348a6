"""QMSum adapter: meetings written as speaker turns, relevant turns, span recall and MRR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from talkrag.evals.qmsum import queries, span_scores, write_meetings
from talkrag.ingest.parsers import parse_file

from tests.conftest import REPO

QMSUM = REPO.parent / "shared" / "benchmarks" / "qmsum" / "val.jsonl"
TURNS = [
    {"speaker": "Chair", "content": "Okay ."},
    {
        "speaker": "Ana",
        "content": "We should move the budget vote to next week because finance is late .",
    },
    {
        "speaker": "Ben",
        "content": "The remote control design needs a bigger battery compartment than planned .",
    },
]


def _fixture(tmp_path: Path) -> Path:
    row = {
        "meeting_transcripts": TURNS,
        "specific_query_list": [
            {"query": "Why was the vote moved?", "answer": "-", "relevant_text_span": [["0", "1"]]}
        ],
    }
    path = tmp_path / "val.jsonl"
    path.write_text(json.dumps(row) + "\n")
    return path


def test_meetings_become_speaker_turn_transcripts(tmp_path: Path):
    turns = write_meetings(_fixture(tmp_path), tmp_path / "m")
    transcript = parse_file(tmp_path / "m" / "qmsum-val-000.md")
    assert [s.speaker for s in transcript.segments] == ["Chair", "Ana", "Ben"]
    assert transcript.talk.id == "qmsum-val-000"
    (query,) = queries(tmp_path / "val.jsonl", turns)
    assert query.turns == (1,)  # "Okay ." is too short to score


def test_span_recall_and_mrr(tmp_path: Path):
    turns = write_meetings(_fixture(tmp_path), tmp_path / "m")
    (query,) = queries(tmp_path / "val.jsonl", turns)
    texts = turns["qmsum-val-000"]
    chunks = [f"Ben: {texts[2]}", f"Chair: {texts[0]}\nAna: {texts[1]}"]
    scores = span_scores(query, chunks, texts)
    assert scores["span_recall@1"] == 0.0
    assert scores["span_recall@5"] == 1.0
    assert scores["mrr@10"] == 0.5


def test_real_validation_split_parses(tmp_path: Path):
    if not QMSUM.is_file():
        pytest.skip(f"QMSum validation split not found at {QMSUM}")
    turns = write_meetings(QMSUM, tmp_path / "m", limit=2)
    assert len(turns) == 2
    assert queries(QMSUM, turns)
