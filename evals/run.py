"""An eval run: questions -> retrieval + answer -> scored records (JSONL, resumable) -> summary.

Records are appended and flushed one question at a time, tagged with a hash of everything that
shapes the result; a rerun with the same configuration skips the questions already recorded,
so an interrupted run resumes where it stopped. The summary is computed from the records in
dataset order, so a resumed run and a clean run give the same figures.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from talkrag.evals.dataset import Question
from talkrag.evals.scoring import score_question
from talkrag.evals.settings import EvalSettings
from talkrag.evals.summary import aggregate
from talkrag.ingest.errors import ConfigError
from talkrag.rag.answer import answer
from talkrag.rag.retrieve import Retriever
from talkrag.rag.verify import Verifier

RECORDS, SUMMARY = "records.jsonl", "summary.json"
Progress = Callable[[int, int], None]


def config_of(settings: EvalSettings, dataset: Path, verifier: Verifier) -> dict[str, Any]:
    """What shapes a run's results: dataset content, index, retrieval, mode, model, verifier."""
    return {
        "dataset": str(dataset),
        "dataset_sha256": hashlib.sha256(dataset.read_bytes()).hexdigest()[:16],
        "db": str(settings.chroma_url or settings.db.resolve()),
        "k": settings.k,
        "retrieve_depth": settings.retrieve_depth,
        "mode": settings.mode,
        "llm_model": settings.llm_model if settings.mode == "llm" else None,
        "verifier": verifier.name,
    }


def config_hash(config: dict[str, Any]) -> str:
    """A short, stable hash of a run configuration."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]


def load_records(path: Path, config: str) -> dict[str, dict[str, Any]]:
    """Records already written under this configuration, by question id (bad lines dropped)."""
    done: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line cut short when the run was killed
            continue
        if isinstance(record, dict) and record.get("config") == config:
            done[record["id"]] = record
    return done


def _rewrite(path: Path, records: Sequence[dict[str, Any]]) -> None:
    """Keep only this configuration's complete records, so appends start clean."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def run_eval(  # noqa: PLR0913  (a run's parts, then optional keywords)
    questions: Sequence[Question],
    retriever: Retriever,
    settings: EvalSettings,
    verifier: Verifier,
    config: dict[str, Any],
    *,
    llm: Any = None,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Answer and score every question not yet recorded; return the summary (also written)."""
    if not settings.corpus.is_dir():
        raise ConfigError(f"corpus folder {settings.corpus} not found: pass --corpus DIR")
    settings.out.mkdir(parents=True, exist_ok=True)
    tag = config_hash(config)
    path = settings.out / RECORDS
    done = load_records(path, tag)
    _rewrite(path, list(done.values()))
    with path.open("a", encoding="utf-8") as out:
        for number, question in enumerate(questions, start=1):
            if question.id not in done:
                done[question.id] = _one(question, retriever, settings, verifier, llm) | {
                    "config": tag
                }
                out.write(json.dumps(done[question.id], ensure_ascii=False) + "\n")
                out.flush()
            if on_progress:
                on_progress(number, len(questions))
    records = [done[q.id] for q in questions]
    summary = {"metrics": aggregate(records), "config": config | {"hash": tag}}
    (settings.out / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _one(
    question: Question, retriever: Retriever, settings: EvalSettings, verifier: Verifier, llm: Any
) -> dict[str, Any]:
    """Answer as users get answered (rag.answer: condensing, guards, fallback, verification)
    and score what came back."""
    hits = retriever.search(question.question, max(settings.retrieve_depth, settings.k))
    result = answer(question.question, retriever, settings, llm=llm)
    return score_question(question, hits, result, verifier, settings.corpus)
