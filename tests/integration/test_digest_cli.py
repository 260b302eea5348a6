"""`talkrag digest` on a real index of the sample transcripts: themes, talks and verbatim
quotes, the same every run, from the vectors ingest stored; clear errors for bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from talkrag.rag.digest import make_digest
from talkrag.rag.digest_figures import in_source
from talkrag.rag.digest_models import DigestRequest
from talkrag.rag.retrieve import open_retriever
from talkrag.rag.settings import RagSettings
from typer.testing import CliRunner

from talkrag.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()
CITATION_KEYS = {"n", "chunk_id", "source", "talk_id", "title", "speaker", "start", "end"}


def _run(*args: str) -> object:
    return runner.invoke(app, ["digest", *args], catch_exceptions=False)


def _json(db: Path, *args: str) -> dict:
    result = _run("--db", str(db), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_themes_then_talks_then_verbatim_quotes_from_different_talks(sample_db: Path):
    got = _json(sample_db, "--themes", "3")
    assert got["talks"] == 6
    assert len(got["themes"]) == 3
    numbers = [q["n"] for t in got["themes"] for q in t["quotes"]]
    assert numbers == list(range(1, len(numbers) + 1))  # one numbering across the digest
    listed = {k["talk_id"] for t in got["themes"] for k in t["talks"]}
    assert len(listed) == 6  # every talk is in some theme
    for theme in got["themes"]:
        assert theme["name"]
        assert theme["summary"]
        talks = [q["talk_id"] for q in theme["quotes"]]
        assert len(talks) == len(set(talks))  # each quote from another talk
        assert set(talks) <= {k["talk_id"] for k in theme["talks"]}
        for k in theme["talks"]:
            assert {"title", "speakers", "companies", "url"} <= set(k)
        for q in theme["quotes"]:
            assert CITATION_KEYS | {"url", "text", "quote", "at"} <= set(q)
            assert q["quote"] in q["text"]
            assert in_source(q["quote"], Path(q["source"]).read_text())
        said = re.findall(r"“(.*?)” \[(\d+)\]", theme["summary"])  # quotes only
        assert said
        assert all((w, int(n)) in {(q["quote"], q["n"]) for q in theme["quotes"]} for w, n in said)


def test_the_digest_is_the_same_every_run(sample_db: Path):
    assert _json(sample_db, "--themes", "2") == _json(sample_db, "--themes", "2")


def test_a_quote_gives_its_own_moment_and_links_there(sample_db: Path):
    got = _json(sample_db, "--topic", "recall at five")
    quote = next(
        q for q in got["themes"][0]["quotes"] if q["quote"].startswith("We call it recall at five")
    )
    assert quote["speaker"] == "Lena Marchetti"
    # said after the 2:40 stamp and before the next one (5:12): estimated between them
    assert 160 < quote["start"] < 312
    assert quote["time_estimated"] is True
    assert quote["url"].endswith(f"&t={int(quote['start'])}s")


def test_nothing_is_embedded_again(sample_db: Path):
    class NoEmbedding:
        name = "none"

        def embed(self, texts):
            raise AssertionError(f"embedded {len(texts)} texts")

    retriever = open_retriever(RagSettings(db=sample_db))
    retriever.embedder = NoEmbedding()
    digest = make_digest(retriever, DigestRequest(themes=3))
    assert sum(len(t.quotes) for t in digest.themes) >= 3


def test_topic_groups_the_quotes_by_talk(sample_db: Path):
    got = _json(sample_db, "--topic", "measuring recall")
    (theme,) = got["themes"]
    assert theme["name"] == "measuring recall"
    order = [k["talk_id"] for k in theme["talks"]]
    assert order[0] == "tRg8EvAlP1p"  # Evaluating RAG Pipelines
    quoted = [q["talk_id"] for q in theme["quotes"]]
    assert quoted == sorted(quoted, key=order.index)  # talk by talk
    result = _run("--db", str(sample_db), "--topic", "measuring recall")
    assert "### [Evaluating RAG Pipelines Without Fooling Yourself]" in result.stdout


def test_markdown_and_html_files(sample_db: Path, tmp_path: Path):
    shown = _run("--db", str(sample_db), "--themes", "2")
    assert shown.exit_code == 0
    assert shown.stdout.startswith("# Conference digest\n")
    assert "## Themes" in shown.stdout
    assert "**What was said:**" in shown.stdout
    for name in ("d.md", "d.html"):
        result = _run("--db", str(sample_db), "--themes", "2", "--out", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert f"wrote {tmp_path / name}" in result.stdout
    assert (tmp_path / "d.md").read_text() == shown.stdout
    assert (tmp_path / "d.html").read_text().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--event", "no such event"], "no talk matches event 'no such event'"),
        (["--track", "Robotics"], "no talk matches track 'Robotics'"),
        (["--topic", "quantum chromodynamics lattice"], "don't cover"),
        (["--mode", "llm"], "llm mode needs an OpenAI-compatible endpoint"),
    ],
)
def test_a_scope_that_matches_nothing_is_a_clear_error(sample_db: Path, args, message):
    result = _run("--db", str(sample_db), *args)
    assert result.exit_code == 1
    assert message in result.stderr


def test_an_empty_or_missing_index_is_a_clear_error(tmp_path: Path):
    (tmp_path / "none").mkdir()
    made = runner.invoke(app, ["ingest", str(tmp_path / "none"), "--db", str(tmp_path / "db")])
    assert made.exit_code == 0, made.output
    result = _run("--db", str(tmp_path / "db"))
    assert result.exit_code == 1
    assert "the index holds no talks yet" in result.stderr
    missing = _run("--db", str(tmp_path / "missing"))
    assert missing.exit_code == 1
    assert "no talkrag index here" in missing.stderr


def test_out_must_be_markdown_or_html(sample_db: Path, tmp_path: Path):
    result = _run("--db", str(sample_db), "--out", str(tmp_path / "d.txt"))
    assert result.exit_code == 2
    assert "write a .md or .html file" in " ".join(result.output.replace("│", " ").split())
