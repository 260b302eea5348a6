"""Run folder -> report.md (tables, bootstrap intervals, worst questions); compare two runs.

The tables show the whole set beside each half (tune, heldout) and the questions that name a
speaker beside the others (`summary.grouped`, stored in summary.json by `write_groups`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from talkrag.evals.dataset import DatasetError
from talkrag.evals.plot import metrics_svg
from talkrag.evals.run import RECORDS, SUMMARY
from talkrag.evals.summary import bootstrap, columns, grouped

REPORT = "report.md"
PLOT = "metrics.svg"
WORST = 10
GROUPS = {
    "Retrieval": ("hit@", "recall@", "mrr", "ndcg", "passage_"),
    "Citations": ("citation_", "claims_uncited", "answers_citing_gold", "answers_quoting_gold"),
    "Faithfulness": (
        "claims_supported",
        "answers_with_unsupported",
        "claims_per_answer",
        "verifier_parse_failures",
    ),
    "Refusals": ("refusal_", "answerable_refused", "near_miss_refused"),
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
    if isinstance(value, int):  # a count
        return str(value)
    return "n/a" if value is None else f"{value:.3f}"


def side_by_side(cols: dict[str, dict[str, Any]], names: Sequence[str] | None = None) -> str:
    """A plain-text table: one row per metric, one column per group (for the terminal)."""
    names = list(names or dict.fromkeys(n for col in cols.values() for n in col))
    width = max([28, *(len(n) + 1 for n in names)])
    lines = [f"{'metric':{width}}" + "".join(f"{c:>9}" for c in cols)]
    for name in names:
        cells = "".join(f"{_fmt(col.get(name)):>9}" for col in cols.values())
        lines.append(f"{name:{width}}{cells}")
    return "\n".join(lines)


def write_groups(folder: Path) -> dict[str, Any]:
    """Add the per-half and per-speaker-group metrics to a run's summary.json; return it."""
    summary, records = load_run(folder)
    summary |= grouped(records)
    (folder / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _group(name: str) -> str:
    return next((g for g, prefixes in GROUPS.items() if name.startswith(prefixes)), "Counts")


def _table(cols: dict[str, dict[str, Any]], cis: dict[str, tuple[float, float]]) -> list[str]:
    """One table per metric group; a column per group of questions, the interval after `all`."""
    heads = [f"{c} | 95% CI" if c == "all" else c for c in cols]
    header = f"| metric | {' | '.join(heads)} |"
    rule = "|---|" + "---|" * (len(cols) + 1)
    lines = []
    for group in [*GROUPS, "Counts"]:
        rows = [n for n in cols["all"] if _group(n) == group]
        if not rows:
            continue
        lines += [f"\n### {group}\n", header, rule]
        for name in rows:
            low_high = cis.get(name)
            ci = f"{low_high[0]:.3f} – {low_high[1]:.3f}" if low_high else ""
            cells = [
                f"{_fmt(col.get(name))} | {ci}" if c == "all" else _fmt(col.get(name))
                for c, col in cols.items()
            ]
            lines.append(f"| {name} | {' | '.join(cells)} |")
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
    lines += _table(columns(summary), cis)
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
