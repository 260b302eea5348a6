"""`talkrag eval` end to end on a real index of the sample transcripts: runs, reruns, resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talkrag.cli import app
from tests.conftest import FIXTURES, SAMPLES

pytestmark = pytest.mark.slow
runner = CliRunner()
DATASET = FIXTURES / "eval" / "samples.jsonl"
DOCUMENTED = {
    "hit@5",
    "recall@5",
    "mrr@10",
    "ndcg@10",
    "citation_validity",
    "citation_recall",
    "citation_precision",
    "claims_supported",
    "answers_with_unsupported",
    "refusal_precision",
    "refusal_recall",
    "answer_token_f1",
    "answer_rouge_l",
    "verifier_parse_failures",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the sample transcripts, built once for the module."""
    root = tmp_path_factory.mktemp("eval")
    result = runner.invoke(app, ["ingest", str(SAMPLES), "--db", str(root / "db")])
    assert result.exit_code == 0, result.output
    return root / "db"


def _eval(*args: str, code: int = 0) -> dict:
    result = runner.invoke(app, ["eval", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def _run(db: Path, out: Path, *extra: str, code: int = 0) -> dict:
    args = [str(DATASET), "--db", str(db), "--corpus", str(SAMPLES), "--out", str(out)]
    return _eval(*args, *extra, code=code)


@pytest.fixture(scope="module")
def first(db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("runs") / "first"
    return out, _run(db, out)


def test_json_has_the_documented_metrics_and_records(first: tuple[Path, dict]):
    out, summary = first
    assert set(summary["metrics"]) >= DOCUMENTED
    assert summary["metrics"]["questions"] == 6
    assert summary["metrics"]["hit@5"] == 1.0  # every sample question finds its talk
    assert summary["metrics"]["refusal_recall"] == 1.0  # the beehive question is refused
    assert summary["metrics"]["answers_citing_gold_all"] == 1.0
    assert summary["metrics"]["answers_quoting_gold"] == 1.0  # each answer quotes its span
    assert summary["halves"] == {}  # the samples have no split
    records = [json.loads(x) for x in (out / "records.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["s-01", "s-02", "s-03", "s-04", "s-05", "s-u01"]
    claims = [c for r in records for c in r["claims"]]
    assert claims
    assert all(c["evidence"] for c in claims if c["citations"])  # each verdict shows its evidence
    assert (out / "report.md").read_text().count("| claims_supported |") == 1
    assert "<rect" in (out / "metrics.svg").read_text()


def test_rerun_gives_identical_metrics(db: Path, first: tuple[Path, dict], tmp_path: Path):
    again = _run(db, tmp_path / "again")
    assert again["metrics"] == first[1]["metrics"]
    records = (tmp_path / "again" / "records.jsonl").read_text()
    assert records == (first[0] / "records.jsonl").read_text()


def test_resumes_after_interruption(db: Path, first: tuple[Path, dict], tmp_path: Path):
    out = tmp_path / "cut"
    shutil.copytree(first[0], out)
    lines = (out / "records.jsonl").read_text().splitlines(keepends=True)
    (out / "records.jsonl").write_text("".join(lines[:2]) + lines[2][:40])  # killed mid-line
    resumed = _run(db, out)
    assert resumed["metrics"] == first[1]["metrics"]
    assert (out / "records.jsonl").read_text() == (first[0] / "records.jsonl").read_text()


def test_fail_under_gates_exit_3(db: Path, first: tuple[Path, dict], tmp_path: Path):
    shutil.copytree(first[0], tmp_path / "gated")
    result = runner.invoke(
        app,
        [
            "eval",
            str(DATASET),
            "--db",
            str(db),
            "--corpus",
            str(SAMPLES),
            "--out",
            str(tmp_path / "gated"),
            "--fail-under",
            "hit@5=0.5",
            "--fail-under",
            "answer_token_f1=0.99",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 3
    assert "answer_token_f1" in result.stderr
    assert "hit@5" not in result.stderr


def test_compare_shows_changes_per_metric_and_question(first: tuple[Path, dict], tmp_path: Path):
    edited = tmp_path / "edited"  # run A with one verdict overturned, as a worse system gives
    shutil.copytree(first[0], edited)
    records = [json.loads(x) for x in (edited / "records.jsonl").read_text().splitlines()]
    records[0]["claims"][0]["supported"] = False
    (edited / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = json.loads((edited / "summary.json").read_text())
    summary["metrics"]["claims_supported"] = 0.5
    (edited / "summary.json").write_text(json.dumps(summary))
    diff = _eval("compare", str(first[0]), str(edited))
    before = first[1]["metrics"]["claims_supported"]
    assert diff["metric_changes"]["claims_supported"]["delta"] == pytest.approx(0.5 - before)
    assert diff["metric_changes"]["hit@5"]["delta"] == 0.0
    assert [q["id"] for q in diff["questions_changed"]] == ["s-01"]
    same = _eval("compare", str(first[0]), str(first[0]))
    assert same["questions_changed"] == []
    assert all(c["delta"] in (0.0, None) for c in same["metric_changes"].values())


def test_split_runs_one_half_and_reports_the_groups(db: Path, tmp_path: Path):
    lines = [json.loads(x) for x in DATASET.read_text().splitlines() if x.strip()]
    for i, line in enumerate(lines):
        line |= {"split": ("tune", "heldout")[i % 2], "named": ["Aiko Tanaka"] if i < 2 else []}
    halved = tmp_path / "halved.jsonl"
    halved.write_text("".join(json.dumps(x) + "\n" for x in lines))
    args = [str(halved), "--db", str(db), "--corpus", str(SAMPLES)]
    whole = _eval(*args, "--out", str(tmp_path / "whole"))
    assert set(whole["halves"]) == {"tune", "heldout"}
    assert set(whole["named"]) == {"speaker", "other"}
    assert whole["halves"]["tune"]["questions"] == 3
    assert whole["named"]["speaker"]["questions"] == 2
    tune = _eval(*args, "--out", str(tmp_path / "tune"), "--split", "tune")
    assert tune["metrics"] == whole["halves"]["tune"]
    assert set(tune["halves"]) == {"tune"}
    records = [
        json.loads(x) for x in (tmp_path / "tune" / "records.jsonl").read_text().splitlines()
    ]
    assert [r["split"] for r in records] == ["tune"] * 3
    assert (
        "| metric | tune | heldout | all | 95% CI | speaker | other |"
        in (tmp_path / "whole" / "report.md").read_text()
    )


def test_bad_dataset_line_names_file_and_line(db: Path, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q"}\n{"id": "y"}\n')
    result = runner.invoke(
        app, ["eval", str(bad), "--db", str(db), "--corpus", str(SAMPLES)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert f"{bad}: line 2" in result.stderr


def test_missing_corpus_is_a_clear_error(db: Path, tmp_path: Path):
    result = runner.invoke(
        app,
        ["eval", str(DATASET), "--db", str(db), "--corpus", str(tmp_path / "nope")],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "corpus folder" in result.stderr


def test_meta_offline_verifier_separates_supported_from_perturbed():
    meta = _eval("meta", "--corpus", str(SAMPLES), "--files", "6")["meta"]
    assert meta["pairs"] >= 30
    assert meta["auroc"] >= 0.8
    assert meta["correct_by_kind"]["verbatim"] == 1.0


@pytest.mark.corpus
def test_meta_on_real_transcripts_reaches_auroc_080(corpus: Path):
    meta = _eval("meta", "--corpus", str(corpus), "--files", "12", "--seed", "3")["meta"]
    assert meta["auroc"] >= 0.8
    assert meta["balanced_accuracy"] >= 0.8
