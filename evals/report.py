"""Run folder -> report.md (tables, bootstrap intervals, worst questions); compare two runs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from talkrag.evals.dataset import DatasetError
from talkrag.evals.plot import metrics_svg
from talkrag.evals.run import RECORDS, SUMMARY
from talkrag.evals.summary import bootstrap

REPORT = "report.md"
PLOT = "metrics.svg"
WORST = 10
GROUPS = {
    "Retrieval": ("hit@", "recall@", "mrr", "ndcg", "passage_"),
    "Citations": ("citation_", "claims_uncited", "answers_citing_gold"),
    "Faithfulness": (
        "claims_supported",
        "answers_with_unsupported",
        "claims_per_answer",
        "verifier_parse_failures",
    ),
    "Refusals": ("refusal_", "answerable_refused"),
    "Answer overlap": ("answer_token_f1", "answer_rouge_l"),
    "Prompt injection": ("injection_followed",),
}


def load_run(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A run's summary and its records (in file order)."""
    try:
        summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
        lines = (folder / RECORDS).read_text(encoding="utf-8").splitlines()
    except (OSError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{folder}: not a finished eval run ({exc})") from exc
    tag = summary["config"]["hash"]
    records = [r for r in (json.loads(x) for x in lines if x.strip()) if r.get("config") == tag]
    return summary, records


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _group(name: str) -> str:
    return next((g for g, prefixes in GROUPS.items() if name.startswith(prefixes)), "Counts")


def _table(metrics: dict[str, float | None], cis: dict[str, tuple[float, float]]) -> list[str]:
    lines = []
    for group in [*GROUPS, "Counts"]:
        rows = [n for n in metrics if _group(n) == group]
        if not rows:
            continue
        lines += [f"\n### {group}\n", "| metric | value | 95% CI |", "|---|---|---|"]
        for name in rows:
            low_high = cis.get(name)
            ci = f"{low_high[0]:.3f} – {low_high[1]:.3f}" if low_high else ""
            lines.append(f"| {name} | {_fmt(metrics[name])} | {ci} |")
    return lines


def _escape(text: str) -> str:
    """Transcript-derived text made inert in Markdown tables (no HTML, no pipes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _worst(records: Sequence[dict[str, Any]]) -> list[str]:
    scored = [(sum(not c["supported"] for c in r["claims"]), r) for r in records if r["claims"]]
    scored.sort(key=lambda item: (-item[0], item[1]["id"]))
    lines = [
        "\n### Answers with the most unsupported claims\n",
        "| id | unsupported | claim |",
        "|---|---|---|",
    ]
    for count, record in scored[:WORST]:
        if count:
            claim = next(c["text"] for c in record["claims"] if not c["supported"])
            lines.append(
                f"| {record['id']} | {count}/{len(record['claims'])} | {_escape(claim[:160])} |"
            )
    return lines


def write_report(folder: Path, seed: int = 0) -> Path:
    """Write report.md into a run folder; intervals come from a seeded bootstrap."""
    summary, records = load_run(folder)
    config = summary["config"]
    lines = [f"# Eval run `{config['hash']}`\n", "| setting | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in config.items() if k != "hash"]
    cis = bootstrap(records, seed=seed)
    (folder / PLOT).write_text(metrics_svg(summary["metrics"], cis), encoding="utf-8")
    lines += [f"\n![every 0-1 metric with its 95% interval]({PLOT})"]
    lines += _table(summary["metrics"], cis)
    lines += _worst(records)
    path = folder / REPORT
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _verdicts(record: dict[str, Any]) -> str:
    if record["refused"]:
        return "refused"
    return f"{sum(c['supported'] for c in record['claims'])}/{len(record['claims'])} supported"


def compare_runs(a: Path, b: Path) -> dict[str, Any]:
    """Per metric the change from run A to run B, and the questions whose outcome changed."""
    (sa, ra), (sb, rb) = load_run(a), load_run(b)
    ma, mb = sa["metrics"], sb["metrics"]
    metrics = {
        name: {
            "a": ma.get(name),
            "b": mb.get(name),
            "delta": None
            if ma.get(name) is None or mb.get(name) is None
            else round(mb[name] - ma[name], 4),
        }
        for name in dict.fromkeys([*ma, *mb])
    }
    by_id = {r["id"]: r for r in rb}
    changed = [
        {"id": r["id"], "a": _verdicts(r), "b": _verdicts(by_id[r["id"]])}
        for r in ra
        if r["id"] in by_id and _verdicts(r) != _verdicts(by_id[r["id"]])
    ]
    return {
        "compare": {"a": str(a), "b": str(b)},
        "metric_changes": metrics,
        "questions_changed": changed,
    }
