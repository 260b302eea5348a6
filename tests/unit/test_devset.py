"""The retrieval dev set: well-formed lines, a split by talk, and evidence spans that resolve."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from tests.conftest import CORPUS, REPO

DATASET = REPO / "evals" / "datasets" / "dev.jsonl"
FIELDS = {
    "id",
    "question",
    "answerable",
    "sources",
    "evidence",
    "reference_answer",
    "category",
    "named",
    "split",
}
NEAR_MISS_FIELDS = FIELDS | {"about"}
SPLITS = {"tune", "heldout"}
ANSWERABLE_CATEGORIES = {"general", "speaker", "number", "definition", "multi"}
UNANSWERABLE_CATEGORIES = {"near-miss", "unanswerable"}
# Every category that each half must hold at least once.
REQUIRED_IN_EACH_HALF = ANSWERABLE_CATEGORIES | UNANSWERABLE_CATEGORIES
# Minimum counts among the questions added in the second round (dev-061..., dev-u13...).
NEW_MINIMUMS = {"speaker": 20, "number": 10, "definition": 10, "multi": 5, "near-miss": 15}
NEW_TOTAL = 60
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
UNANSWERABLE = [r for r in RECORDS if not r["answerable"]]


def _is_new(record: dict) -> bool:
    number = re.fullmatch(r"dev-u?(\d+)", record["id"]).group(1)
    return int(number) >= (61 if record["answerable"] else 13)


NEW = [r for r in RECORDS if _is_new(r)]


def _talks(record: dict) -> list[str]:
    """The files a record belongs to: its sources, or for a near miss the talk it is about."""
    return list(record["sources"]) + list(record.get("about", []))


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
        expected = NEAR_MISS_FIELDS if record.get("category") == "near-miss" else FIELDS
        assert set(record) == expected, f"line {number}: {sorted(set(record) ^ expected)}"
        assert record["question"].strip(), f"line {number}: empty question"
        assert record["reference_answer"].strip(), f"line {number}: empty reference_answer"
        assert isinstance(record["named"], list), f"line {number}: named is not a list"
        assert all(isinstance(n, str) and n.strip() for n in record["named"]), f"line {number}"


def test_ids_are_unique_and_follow_the_naming():
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids))
    for r in RECORDS:
        pattern = r"dev-\d{3}" if r["answerable"] else r"dev-u\d{2}"
        assert re.fullmatch(pattern, r["id"]), r["id"]


def test_counts_by_kind_and_folder():
    old = [r for r in ANSWERABLE if not _is_new(r)]
    folders = [r["evidence"][0]["file"].split("/")[-2] for r in old]
    assert len(old) == 60
    assert len([r for r in UNANSWERABLE if not _is_new(r)]) == 12
    assert folders.count("transcripts") == 25
    assert folders.count("transcripts-raw") == 8
    assert folders.count("practical-ai") == 27
    assert len(NEW) >= NEW_TOTAL


def test_new_questions_cover_all_three_folders():
    folders = Counter(e["file"].split("/")[-2] for r in NEW for e in r["evidence"])
    assert set(folders) == {"transcripts", "transcripts-raw", "practical-ai"}, folders


@pytest.mark.parametrize("record", ANSWERABLE, ids=lambda r: r["id"])
def test_answerable_question_has_sources_and_evidence(record):
    assert record["sources"]
    assert record["evidence"]
    for evidence in record["evidence"]:
        assert set(evidence) == {"file", "char_start", "char_end"}
        assert 0 <= evidence["char_start"] < evidence["char_end"]
    assert sorted(record["sources"]) == sorted(
        {e["file"].split("/")[-1] for e in record["evidence"]}
    )
    assert len(record["reference_answer"].split()) <= 30


def test_unanswerable_questions_cite_nothing():
    for r in UNANSWERABLE:
        assert r["sources"] == [], r["id"]
        assert r["evidence"] == [], r["id"]


def test_no_two_questions_share_a_file():
    files = [e["file"] for r in ANSWERABLE for e in r["evidence"]]
    assert len(files) == len(set(files))


# ---- categories and names


def test_categories_match_answerability():
    for r in RECORDS:
        allowed = ANSWERABLE_CATEGORIES if r["answerable"] else UNANSWERABLE_CATEGORIES
        assert r["category"] in allowed, f"{r['id']}: {r['category']}"


def test_required_category_counts_among_new_questions():
    counts = Counter(r["category"] for r in NEW)
    for category, minimum in NEW_MINIMUMS.items():
        assert counts[category] >= minimum, f"{category}: {counts[category]} < {minimum}"


def test_speaker_questions_name_someone():
    for r in RECORDS:
        if r["category"] == "speaker":
            assert r["named"], f"{r['id']}: speaker question with empty named"


def test_multi_questions_cite_several_talks():
    for r in RECORDS:
        if r["category"] == "multi":
            assert len(set(r["sources"])) >= 2, r["id"]
            assert len({e["file"] for e in r["evidence"]}) >= 2, r["id"]
        else:
            assert len(r["sources"]) <= 1, f"{r['id']}: several sources but not multi"


def test_near_misses_name_the_talk_they_are_about():
    for r in RECORDS:
        if r["category"] == "near-miss":
            assert not r["answerable"], r["id"]
            assert len(r["about"]) == 1, r["id"]
            assert r["about"][0].strip(), r["id"]
            assert "/" not in r["about"][0], f"{r['id']}: about holds a basename"
        else:
            assert "about" not in r, r["id"]


# ---- the split


def test_every_record_has_a_split():
    for r in RECORDS:
        assert r.get("split") in SPLITS, f"{r['id']}: {r.get('split')!r}"


def test_no_talk_is_in_both_halves():
    halves: dict[str, set[str]] = {}
    for r in RECORDS:
        for talk in _talks(r):
            halves.setdefault(talk, set()).add(r.get("split"))
    mixed = sorted(t for t, s in halves.items() if len(s) > 1)
    assert not mixed, f"talks in both halves: {mixed}"


def test_each_half_holds_every_category():
    for split in SPLITS:
        present = {r["category"] for r in RECORDS if r["split"] == split}
        missing = REQUIRED_IN_EACH_HALF - present
        assert not missing, f"{split} lacks {sorted(missing)}"


def test_halves_are_roughly_balanced():
    for subset, name in ((ANSWERABLE, "answerable"), (UNANSWERABLE, "unanswerable")):
        tune = sum(r["split"] == "tune" for r in subset)
        share = tune / len(subset)
        assert 0.4 <= share <= 0.6, f"{name}: {tune} of {len(subset)} in tune"


# ---- against the real corpus


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


@pytest.mark.corpus
@needs_corpus
def test_near_miss_talks_exist_in_the_corpus():
    names = {p.name for p in CORPUS.glob("aiewf2026/transcripts*/*")}
    names |= {p.name for p in CORPUS.glob("practical-ai/*.md")}
    for r in RECORDS:
        for talk in r.get("about", []):
            assert talk in names, f"{r['id']}: {talk} not in the corpus"
