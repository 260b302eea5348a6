"""What `talkrag eval` runs: settings -> retriever, verifier, LLM -> run, report, compare, meta."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from talkrag.evals.answer_pairs import dev_pairs
from talkrag.evals.dataset import HALVES, load_dataset
from talkrag.evals.gates import failed_gates, parse_gates
from talkrag.evals.meta import Pair, build_pairs, evaluate, pick_files
from talkrag.evals.report import compare_runs, side_by_side, write_groups, write_report
from talkrag.evals.run import Progress, config_of, run_eval
from talkrag.evals.settings import EvalSettings
from talkrag.evals.summary import columns
from talkrag.ingest.embed import Embedder
from talkrag.ingest.errors import ConfigError
from talkrag.rag.answer import make_llm
from talkrag.rag.retrieve import open_retriever
from talkrag.rag.verify import OfflineVerifier, Verifier

__all__ = ["compare_runs", "failed_gates", "parse_gates"]
META_FOLDERS = ("practical-ai", "aiewf2026/transcripts", "aiewf2026/transcripts-raw")
DEV_SET = Path(__file__).parent / "datasets" / "dev.jsonl"


def eval_settings(**overrides: Any) -> EvalSettings:
    """Settings from TALKRAG_* env vars, with the flags that were given on top."""
    return EvalSettings(**{k: v for k, v in overrides.items() if v is not None})


def make_verifier(settings: EvalSettings, embedder: Embedder) -> Verifier:
    """The verifier the settings name: offline (default) or the LLM judge."""
    if settings.verifier == "llm":
        from talkrag.evals.judge import LLMJudge  # noqa: PLC0415  (openai loads only here)

        return LLMJudge.from_settings(settings)
    return OfflineVerifier(embedder)


def evaluate_dataset(
    settings: EvalSettings,
    dataset: Path,
    on_progress: Progress | None = None,
    split: str | None = None,
) -> dict[str, Any]:
    """Run a dataset (one half of it with `split`) through retrieval, answers and verification;
    write records, the per-half figures and the report."""
    questions = load_dataset(dataset, split)
    retriever = open_retriever(settings)
    verifier = make_verifier(settings, retriever.embedder)
    llm = make_llm(settings) if settings.mode == "llm" else None
    config = config_of(settings, dataset, verifier)
    if split:  # a half is another run: its records never mix with the whole set's
        config["split"] = split
    run_eval(questions, retriever, settings, verifier, config, llm=llm, on_progress=on_progress)
    summary = write_groups(settings.out)
    summary["report"] = str(write_report(settings.out))
    summary["out"] = str(settings.out)
    return summary


def meta_eval(
    settings: EvalSettings, files: int, seed: int, split: str | None = None
) -> dict[str, Any]:
    """The verifier's balanced accuracy and AUROC on labelled pairs: transcript sentences and
    their rewrites, and the dev set's reference answers against their evidence; per half too."""
    folders = [settings.corpus / f for f in META_FOLDERS if (settings.corpus / f).is_dir()]
    folders = folders or [settings.corpus]
    if not settings.corpus.is_dir():
        raise ConfigError(f"corpus folder {settings.corpus} not found: pass --corpus DIR")
    questions = load_dataset(DEV_SET)
    halves = {name: q.split for q in questions if q.split for name in q.sources}
    pairs = build_pairs(pick_files(folders, files, seed), seed, halves)
    pairs += dev_pairs(questions, settings.corpus, seed)
    if split:
        pairs = [p for p in pairs if p.split == split]
    from talkrag.ingest.embed import SentenceTransformerEmbedder, resolve_model  # noqa: PLC0415

    model_dir, name = resolve_model(settings.model)
    verifier = make_verifier(settings, SentenceTransformerEmbedder(model_dir, name))
    result = evaluate(pairs, verifier)
    by_half = {h: evaluate(half, verifier) for h in HALVES if (half := _half(pairs, h))}
    return {"meta": result | {"files": files, "seed": seed, "split": split, "halves": by_half}}


def _half(pairs: list[Pair], half: str) -> list[Pair]:
    return [p for p in pairs if p.split == half]


def render_result(result: dict[str, Any]) -> str:
    """A few readable lines for the terminal (the full figures are in --json and report.md)."""
    if "meta" in result:
        meta = result["meta"]
        kinds = ", ".join(f"{k} {v:.2f}" for k, v in meta["correct_by_kind"].items())
        return (
            f"{meta['verifier']} verifier on {meta['pairs']} pairs: balanced accuracy "
            f"{meta['balanced_accuracy']:.3f}, AUROC {meta['auroc']:.3f}\ncorrect by kind: {kinds}"
        )
    if "metric_changes" in result:
        lines = [f"{'metric':28} {'A':>8} {'B':>8} {'change':>8}"]
        for name, c in result["metric_changes"].items():
            cells = ["n/a" if c[x] is None else f"{c[x]:.3f}" for x in ("a", "b", "delta")]
            lines.append(f"{name:28} {cells[0]:>8} {cells[1]:>8} {cells[2]:>8}")
        lines += [f"{q['id']}: {q['a']} -> {q['b']}" for q in result["questions_changed"]]
        return "\n".join(lines)
    return "\n".join([side_by_side(columns(result)), f"records and {result['report']}"])
