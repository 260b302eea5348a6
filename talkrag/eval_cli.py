"""`talkrag eval`: batch evaluation runs, run comparison and the verifier meta-evaluation."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from talkrag.evals.settings import DEFAULT_CORPUS
from talkrag.options import (
    EXIT_ITEMS_FAILED,
    DbOpt,
    JsonOpt,
    KOpt,
    ModeOpt,
    UrlOpt,
    emit,
    error,
    reported_errors,
)


class VerifierName(StrEnum):
    """Who checks the claims of an eval run."""

    offline = "offline"
    llm = "llm"


class Half(StrEnum):
    """One half of a dataset split by talk (evals/datasets/README.md)."""

    tune = "tune"
    heldout = "heldout"


def eval_(
    target: Annotated[
        list[str],
        typer.Argument(help="DATASET.jsonl; or `compare RUN_A RUN_B`; or `meta` (verifier check)"),
    ],
    mode: ModeOpt = None,
    verifier: Annotated[
        VerifierName | None, typer.Option("--verifier", help="offline (default) or llm judge")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="run folder (default eval-runs/latest)")
    ] = None,
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help=f"root of evidence files [{DEFAULT_CORPUS}]")
    ] = None,
    k: KOpt = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option("--fail-under", help="metric=value gate (exit 3 when missed); repeatable"),
    ] = None,
    files: Annotated[int, typer.Option("--files", help="meta: transcripts to draw")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="meta: seed of the labelled set")] = 0,
    split: Annotated[
        Half | None,
        typer.Option("--split", help="only this half of the dataset's questions (meta: pairs)"),
    ] = None,
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Evaluate retrieval, citations and faithfulness over a question set (see evals/README.md)."""
    from talkrag.evals import commands  # noqa: PLC0415  (keeps `talkrag --help` fast)

    with reported_errors():
        settings = commands.eval_settings(
            db=db,
            chroma_url=chroma_url,
            mode=mode.value if mode else None,
            k=k,
            out=out,
            corpus=corpus,
            verifier=verifier.value if verifier else None,
        )
        gates = commands.parse_gates(fail_under or [])
        result = _eval_target(
            commands, target, settings, files, seed, json_out, split=split.value if split else None
        )
        failed = commands.failed_gates(result.get("metrics", {}), gates)
    if json_out:
        emit(result | {"gates_failed": failed})
    else:
        typer.echo(commands.render_result(result))
    for line in failed:
        error(f"--fail-under: {line}")
    if failed:
        raise typer.Exit(EXIT_ITEMS_FAILED)


def _eval_target(
    commands: Any,
    target: list[str],
    settings: Any,
    files: int,
    seed: int,
    json_out: bool,
    *,
    split: str | None = None,
) -> dict[str, Any]:
    """Dispatch `eval DATASET`, `eval compare A B` and `eval meta`."""
    from talkrag import render  # noqa: PLC0415

    if target[0] == "compare" and len(target) == 3:  # noqa: PLR2004
        return commands.compare_runs(Path(target[1]), Path(target[2]))
    if target[0] == "meta" and len(target) == 1:
        return commands.meta_eval(settings, files, seed, split)
    if len(target) != 1:
        raise typer.BadParameter("give one DATASET, or `compare RUN_A RUN_B`, or `meta`")
    with render.count_bar("eval", not json_out and sys.stderr.isatty()) as on_progress:
        return commands.evaluate_dataset(settings, Path(target[0]), on_progress, split)
