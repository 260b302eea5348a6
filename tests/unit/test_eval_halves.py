"""Per-half figures: the split field, grouping, the quote rule and the new counts, by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from talkrag.evals.dataset import DatasetError, Evidence, Question, load_dataset
from talkrag.evals.report import side_by_side, write_groups, write_report
from talkrag.evals.retrieval import Ranked
from talkrag.evals.scoring import quotes_gold, quotes_span, score_question
from talkrag.evals.summary import aggregate, columns, grouped, groups
from talkrag.rag.models import Answer, Citation, Hit
from talkrag.rag.verify import Verdict

from bench.devset import figures, report
from tests.conftest import REPO

SPAN = (
    "Ben Adeyemi: So we tried sharding by tenant instead. Most customers only search their "
    "own documents,\n so most queries now touch a single shard. The catch is that tenants are "
    "not equal."
)


def test_a_verbatim_sentence_quotes_the_span_whatever_its_case_spacing_and_markers():
    assert quotes_span("Most customers only search their own documents, so most queries", SPAN)
    assert quotes_span("MOST customers only search   their own documents.", SPAN)
    assert quotes_span("The catch is that tenants are not equal.", SPAN)  # 8 words, verbatim


def test_short_or_unrelated_sentences_never_quote():
    assert not quotes_span("tenants are not", SPAN)  # under four words: too common to count
    assert not quotes_span("Sharding by tenant was a mistake.", SPAN)
    assert quotes_span("we tried sharding by tenant", SPAN)  # four words or more, unbroken


def test_a_sentence_straddling_the_span_counts_from_six_tenths_of_its_shingles():
    # 13 words, 6 shingles of 8 words: two words before the span leave 4 of 6 in it (>= 0.6).
    assert quotes_span(
        "Honestly then so we tried sharding by tenant instead. Most customers only search", SPAN
    )
    # three words before it leave 3 of 6 (< 0.6)
    assert not quotes_span(
        "Honestly then anyway so we tried sharding by tenant instead. Most customers only", SPAN
    )


def test_a_span_cut_inside_a_long_sentence_is_quoted_by_that_sentence():
    cut = "so most queries now touch a single shard"
    assert quotes_span(f"Because {cut}, and that was the point of it all along.", cut)
    assert not quotes_span("A sentence with none of it in.", "")


def _answer(text: str, refused: bool = False) -> Answer:
    citation = Citation(
        n=1, chunk_id="c1", source="dir/t.vtt", talk_id="t", title="T", speaker=None,
        start=None, end=None, url=None, text=SPAN,
    )  # fmt: skip
    return Answer(answer=text, refused=refused, citations=[citation], mode="extractive")


def test_only_a_cited_sentence_of_an_answer_counts_and_any_span_will_do():
    quoted = "The catch is that tenants are not equal."
    assert quotes_gold(_answer(f"{quoted} [1]"), [SPAN])
    assert quotes_gold(_answer(f"{quoted} [1]"), ["Another talk entirely, word for word.", SPAN])
    assert not quotes_gold(_answer(f"{quoted} Then it cited this. [1]"), [SPAN])  # uncited
    assert not quotes_gold(_answer(f"{quoted} [1]", refused=True), [SPAN])
    assert not quotes_gold(_answer(f"{quoted} [1]"), ["Nothing of the kind is said here."])


def _record(qid: str, **fields) -> dict:
    base = {
        "id": qid, "answerable": True, "refused": False, "claims": [], "overlap": None,
        "retrieval": {"hit@5": 1.0}, "cites_gold": True, "quotes_gold": True,
        "category": "general", "named": [], "split": "tune",
    }  # fmt: skip
    record = base | fields
    if not record["answerable"]:
        record |= {"retrieval": None, "cites_gold": None, "quotes_gold": None}
    elif record["refused"]:
        record |= {"cites_gold": None, "quotes_gold": None}
    return record


RECORDS = [
    _record("a"),
    _record("b", refused=True),
    _record("c", cites_gold=False, quotes_gold=False, retrieval={"hit@5": 0.0}),
    _record("d", split="heldout", category="speaker", named=["Aiko Tanaka"]),
    _record("e", split="heldout", named=["Acme"], quotes_gold=None),  # no evidence span
    _record("u", answerable=False, refused=True, category="unanswerable"),
    _record("n", answerable=False, split="heldout", category="near-miss", named=["Acme"]),
    _record("m", answerable=False, refused=True, split="heldout", category="near-miss"),
]


def test_citing_gold_over_all_answerable_counts_a_refusal_as_a_miss():
    m = aggregate(RECORDS)
    assert m["answers_citing_gold"] == 0.75  # 3 of the 4 answered cite a gold talk
    assert m["answers_citing_gold_all"] == 0.6  # 3 of the 5 answerable
    assert m["answers_quoting_gold"] == pytest.approx(2 / 3, abs=1e-3)  # a, d of a, c, d
    assert m["near_miss_refused"] == 0.5
    assert m["refusal_recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert aggregate([_record("a")])["near_miss_refused"] is None


def test_groups_by_half_and_by_naming_a_speaker():
    parts = {name: [r["id"] for r in part] for name, part in groups(RECORDS).items()}
    assert list(parts) == ["tune", "heldout", "all", "speaker", "other"]
    assert parts["tune"] == ["a", "b", "c", "u"]
    assert parts["heldout"] == ["d", "e", "n", "m"]
    assert parts["speaker"] == ["d", "e", "n"]  # category speaker, or a name in `named`
    assert parts["other"] == ["a", "b", "c", "u", "m"]
    assert len(parts["all"]) == len(RECORDS)


def test_a_set_without_split_or_names_has_only_the_whole_column():
    plain = [_record("a", split=None), _record("b", split=None)]
    assert list(groups(plain)) == ["all"]
    assert grouped(plain) == {"halves": {}, "named": {}}


def test_grouped_figures_are_each_groups_own_aggregate():
    g = grouped(RECORDS)
    assert set(g["halves"]) == {"tune", "heldout"}
    assert g["halves"]["tune"]["answers_citing_gold_all"] == pytest.approx(1 / 3, abs=1e-3)
    assert g["halves"]["heldout"]["answers_citing_gold_all"] == 1.0
    assert g["halves"]["heldout"]["near_miss_refused"] == 0.5
    assert g["named"]["speaker"]["hit@5"] == 1.0
    assert g["named"]["other"]["hit@5"] == pytest.approx(2 / 3, abs=1e-3)
    summary = {"metrics": aggregate(RECORDS), **g}
    assert list(columns(summary)) == ["tune", "heldout", "all", "speaker", "other"]


def test_the_table_puts_groups_side_by_side():
    table = side_by_side({"tune": {"hit@5": 0.5, "questions": 4}, "all": {"hit@5": None}})
    lines = table.splitlines()
    assert lines[0].split() == ["metric", "tune", "all"]
    assert lines[1].split() == ["hit@5", "0.500", "n/a"]
    assert lines[2].split() == ["questions", "4", "n/a"]


def test_summary_json_gains_halves_and_report_md_shows_them(tmp_path: Path):
    tagged = [r | {"config": "x"} for r in RECORDS]
    (tmp_path / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in tagged))
    summary = {"metrics": aggregate(RECORDS), "config": {"hash": "x"}}
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    written = write_groups(tmp_path)
    stored = json.loads((tmp_path / "summary.json").read_text())
    assert stored == written
    assert stored["metrics"] == summary["metrics"]  # added to, never changed
    assert stored["halves"]["tune"]["questions"] == 4.0
    text = write_report(tmp_path).read_text()
    assert "| metric | tune | heldout | all | 95% CI | speaker | other |" in text
    assert text.count("| answers_quoting_gold |") == 1


def test_load_dataset_keeps_one_half(tmp_path: Path):
    lines = [
        {"id": "a", "question": "q?", "split": "tune", "named": ["Aiko"], "category": "speaker"},
        {"id": "b", "question": "q?", "split": "heldout", "answerable": False, "about": ["t.md"]},
        {"id": "c", "question": "q?"},
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert [q.id for q in load_dataset(path)] == ["a", "b", "c"]
    assert [q.id for q in load_dataset(path, "tune")] == ["a"]
    assert load_dataset(path, "heldout")[0].about == ["t.md"]
    with pytest.raises(DatasetError, match="split must be"):
        load_dataset(path, "test")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "question": "q?", "split": "train"}) + "\n")
    with pytest.raises(DatasetError, match="line 1"):
        load_dataset(bad)


def test_the_dev_set_loads_with_its_halves():
    questions = load_dataset(REPO / "evals" / "datasets" / "dev.jsonl")
    halves = [q.split for q in questions]
    assert (halves.count("tune"), halves.count("heldout")) == (69, 68)
    assert all(q.named for q in questions if q.category == "speaker")


class _Always:
    name = "always"

    def verify(self, claim, passages):
        return Verdict(True, 1.0, passages[0])


def test_a_record_carries_its_half_names_and_quote(tmp_path: Path):
    (tmp_path / "t.vtt").write_text(f"WEBVTT\n\n{SPAN}\n")
    start = len("WEBVTT\n\n")
    q = Question(
        id="d", question="How did they shard?", sources=["t.vtt"], split="heldout",
        named=["Ben Adeyemi"], category="speaker",
        evidence=[Evidence(file="t.vtt", char_start=start, char_end=start + len(SPAN))],
    )  # fmt: skip
    hit = Hit(
        rank=1, score=1.0, chunk_id="c1", source="dir/t.vtt", talk_id="t", title="T",
        speakers=[], start=None, end=None, url=None, text=SPAN,
    )  # fmt: skip
    record = score_question(q, [hit], _answer("So we tried sharding by tenant instead. [1]"),
                            _Always(), tmp_path)  # fmt: skip
    assert (record["split"], record["named"], record["category"]) == (
        "heldout",
        [q.named[0]],
        "speaker",
    )
    assert record["quotes_gold"] is True
    assert record["cites_gold"] is True
    refused = score_question(q, [hit], _answer("", refused=True), _Always(), tmp_path)
    assert refused["quotes_gold"] is None


def _row(qid: str, **fields) -> dict:
    row = {"id": qid, "split": "tune", "category": "general", "named": [], "answerable": True}
    row |= {"refused": False, "cites_gold": True, "quotes_gold": True, "rank": Ranked(1, 1)}
    row |= {"search_ms": 10.0}
    row |= fields
    if not row["answerable"]:
        for key in ("cites_gold", "quotes_gold", "rank", "search_ms"):
            row.pop(key)
    return row


def test_devset_figures_per_half_keep_the_whole_sets_keys():
    rows = [
        _row("a"),
        _row("b", refused=True, cites_gold=False, quotes_gold=None, rank=Ranked(None, None)),
        _row("c", split="heldout", category="speaker", named=["X"], rank=Ranked(3, None)),
        _row("u", answerable=False, refused=True, category="unanswerable"),
        _row("n", answerable=False, split="heldout", category="near-miss", named=["X"]),
    ]
    result = report(rows)
    for key in ("hit@1", "hit@5", "mrr@10", "passage@5", "answers_citing_gold_talk"):
        assert key in result
    assert result["answers_citing_gold_talk"] == pytest.approx(2 / 3, abs=1e-3)
    assert result["answers_quoting_gold"] == 1.0  # b was refused: not counted
    assert result["answerable_refused"] == pytest.approx(1 / 3, abs=1e-3)
    assert result["unanswerable_refused"] == 0.5
    assert result["near_miss_refused"] == 0.0
    assert result["questions"] == 5
    tune, heldout = result["halves"]["tune"], result["halves"]["heldout"]
    assert (tune["hit@1"], tune["hit@5"], tune["answerable_refused"]) == (0.5, 0.5, 0.5)
    assert tune["near_miss_refused"] is None
    assert (heldout["hit@1"], heldout["hit@5"], heldout["mrr@10"]) == (0.0, 1.0, 0.333)
    assert result["named"]["speaker"]["unanswerable_refused"] == 0.0
    assert result["named"]["other"]["questions"] == 3
    assert figures([])["answers_citing_gold_talk"] is None
