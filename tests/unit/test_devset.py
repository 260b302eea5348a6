"""The retrieval dev set: well-formed lines, and evidence spans that resolve in the real corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATASET = REPO / "evals" / "datasets" / "dev.jsonl"
CORPUS = REPO.parent / "shared" / "corpus"
FIELDS = {"id", "question", "answerable", "sources", "evidence", "reference_answer"}
COPY_RUN = 8  # this many consecutive transcript words in a question or answer counts as copying

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"real corpus not found at {CORPUS} (it lives beside the repo in ../shared)",
)


def _records() -> list[dict]:
    lines = DATASET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


RECORDS = _records()
ANSWERABLE = [r for r in RECORDS if r["answerable"]]


def _span_text(evidence: dict) -> str:
    text = (CORPUS / evidence["file"]).read_text(encoding="utf-8")
    return text[evidence["char_start"] : evidence["char_end"]]


def _runs(text: str, n: int = COPY_RUN) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_every_line_parses_to_an_object_with_the_expected_fields():
    for number, line in enumerate(DATASET.read_text(encoding="utf-8").splitlines(), 1):
        record = json.loads(line)
        assert isinstance(record, dict), f"line {number}"
        assert set(record) == FIELDS, f"line {number}: {sorted(set(record) ^ FIELDS)}"
        assert record["question"].strip(), f"line {number}: empty question"
        assert record["reference_answer"].strip(), f"line {number}: empty reference_answer"


def test_ids_are_unique_and_follow_the_naming():
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids))
    for r in RECORDS:
        pattern = r"dev-\d{3}" if r["answerable"] else r"dev-u\d{2}"
        assert re.fullmatch(pattern, r["id"]), r["id"]


def test_counts_by_kind_and_folder():
    folders = [r["evidence"][0]["file"].split("/")[-2] for r in ANSWERABLE]
    assert len(ANSWERABLE) == 60
    assert len(RECORDS) - len(ANSWERABLE) == 12
    assert folders.count("transcripts") == 25
    assert folders.count("transcripts-raw") == 8
    assert folders.count("practical-ai") == 27


@pytest.mark.parametrize("record", ANSWERABLE, ids=lambda r: r["id"])
def test_answerable_question_has_sources_and_evidence(record):
    assert record["sources"]
    assert record["evidence"]
    for evidence in record["evidence"]:
        assert set(evidence) == {"file", "char_start", "char_end"}
        assert 0 <= evidence["char_start"] < evidence["char_end"]
    assert len(record["reference_answer"].split()) <= 30


def test_unanswerable_questions_cite_nothing():
    for r in RECORDS:
        if not r["answerable"]:
            assert r["sources"] == [], r["id"]
            assert r["evidence"] == [], r["id"]


def test_no_two_questions_share_a_file():
    files = [e["file"] for r in ANSWERABLE for e in r["evidence"]]
    assert len(files) == len(set(files))


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("record", ANSWERABLE, ids=lambda r: r["id"])
def test_evidence_spans_resolve_in_the_corpus(record):
    for evidence in record["evidence"]:
        path = CORPUS / evidence["file"]
        assert path.is_file(), evidence["file"]
        assert evidence["char_end"] <= len(path.read_text(encoding="utf-8"))
        assert 20 <= len(_span_text(evidence).split()) <= 250
        assert path.name in record["sources"]


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("record", ANSWERABLE, ids=lambda r: r["id"])
def test_no_transcript_text_is_copied_into_question_or_answer(record):
    written = _runs(record["question"]) | _runs(record["reference_answer"])
    for evidence in record["evidence"]:
        copied = _runs(_span_text(evidence)) & written
        assert not copied, f"{record['id']} copies: {' '.join(sorted(copied)[0])}"
