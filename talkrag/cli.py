"""The `talkrag` console command: the one module that imports every layer."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from talkrag.ingest.errors import TalkragError
from talkrag.ingest.settings import IngestSettings

EXIT_ERROR, EXIT_ITEMS_FAILED, EXIT_INTERRUPTED, EXIT_BUG = 1, 3, 130, 70

app = typer.Typer(
    help="Ask what was said in conference talks; every answer cites talk, speaker and moment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # Typer's default dumps locals, keys included
    add_completion=False,
)

DbOpt = Annotated[Path | None, typer.Option("--db", help="Chroma data directory [env TALKRAG_DB]")]
UrlOpt = Annotated[
    str | None,
    typer.Option("--chroma-url", help="Chroma server URL instead of --db [env TALKRAG_CHROMA_URL]"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")]
VerboseOpt = Annotated[int, typer.Option("-v", "--verbose", count=True, help="-v info, -vv debug")]


def _settings(**overrides: Any) -> IngestSettings:
    """Settings from TALKRAG_* env vars, with the flags that were given on top."""
    return IngestSettings(**{k: v for k, v in overrides.items() if v is not None})


def _logging(verbose: int) -> None:
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )


def _error(message: str) -> None:
    typer.echo(f"talkrag: error: {message}", err=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a TalkragError into one line on stderr and exit status 1."""
    try:
        yield
    except TalkragError as exc:
        _error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    except ValidationError as exc:  # a TALKRAG_* variable or option value that cannot work
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
        )
        _error(f"invalid setting: {problems}")
        raise typer.Exit(EXIT_ERROR) from None


def _emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=None))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="transcript files or folders")],
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
    metadata: Annotated[
        list[Path] | None,
        typer.Option("--metadata", help="sidecar manifest (JSONL or CSV); repeatable"),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="remove talks whose files are gone")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="drop the index and build anew")
    ] = False,
    backend: Annotated[
        str | None,
        typer.Option(
            "--backend",
            help="onnx (default), onnx-int8, torch or torch-bf16; fixed per index "
            "[env TALKRAG_BACKEND]",
        ),
    ] = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Ingest transcripts into the index; only new or changed files are embedded."""
    from talkrag import render  # noqa: PLC0415  (keeps `talkrag --help` fast)
    from talkrag.ingest.index import run_ingest  # noqa: PLC0415

    _logging(verbose)
    with reported_errors():
        settings = _settings(db=db, chroma_url=chroma_url, backend=backend)
        show_bar = not json_out and sys.stderr.isatty()
        with render.progress_bar(show_bar) as on_progress:
            report = run_ingest(
                settings,
                paths,
                metadata or [],
                prune=prune,
                rebuild=rebuild,
                on_progress=on_progress,
            )
    for failure in report.failed:
        _error(
            f"{failure.error}"
            if failure.error.startswith(failure.path)
            else f"{failure.path}: {failure.error}"
        )
    if json_out:
        _emit(report.to_json())
    else:
        typer.echo(render.ingest_summary(report))
    if report.failed:
        raise typer.Exit(EXIT_ITEMS_FAILED)


@app.command()
def talks(db: DbOpt = None, chroma_url: UrlOpt = None, json_out: JsonOpt = False) -> None:
    """List the ingested talks with their chunk counts."""
    from talkrag import render  # noqa: PLC0415
    from talkrag.ingest.index import list_talks  # noqa: PLC0415

    with reported_errors():
        rows = list_talks(_settings(db=db, chroma_url=chroma_url))
    if json_out:
        _emit({"talks": rows})
    else:
        typer.echo(render.talks_table(rows))


SpeakerOpt = Annotated[
    str | None, typer.Option("--speaker", help="only what this speaker said (part of a name)")
]
TalkOpt = Annotated[str | None, typer.Option("--talk", help="only this talk (id or title part)")]
EventOpt = Annotated[str | None, typer.Option("--event", help="only talks of this event")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="talks on or after YYYY-MM-DD")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="talks on or before YYYY-MM-DD")]


class Mode(StrEnum):
    """How answers are written."""

    extractive = "extractive"
    llm = "llm"


ModeOpt = Annotated[
    Mode | None,
    typer.Option("--mode", help="extractive (no LLM, default) or llm [env TALKRAG_MODE]"),
]


def _filters(**values: str | None) -> Any:
    from talkrag.rag.models import Filters  # noqa: PLC0415

    return Filters(**values)


def _rag_settings(**overrides: Any) -> Any:
    from talkrag.rag.settings import RagSettings  # noqa: PLC0415

    return RagSettings(**{k: v for k, v in overrides.items() if v is not None})


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="what to look for, in your own words")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="how many passages")] = 5,
    speaker: SpeakerOpt = None,
    talk: TalkOpt = None,
    event: EventOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    neighbours: Annotated[
        bool, typer.Option("--neighbours", help="add each hit's previous and next chunk")
    ] = False,
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show the transcript passages closest to a question, with talk, speaker and moment."""
    from talkrag import render  # noqa: PLC0415
    from talkrag.rag.retrieve import open_retriever, timed_search  # noqa: PLC0415

    with reported_errors():
        filters = _filters(speaker=speaker, talk=talk, event=event, date_from=since, date_to=until)
        retriever = open_retriever(_settings(db=db, chroma_url=chroma_url))
        hits, ms = timed_search(retriever, question, k, filters)
        if neighbours:
            hits = [retriever.with_neighbours(h) for h in hits]
    if json_out:
        drop = {"chunk_id"} | (set() if neighbours else {"before", "after"})
        _emit({"results": [h.model_dump(exclude=drop) for h in hits], "ms": round(ms, 1)})
    else:
        typer.echo(render.hits(hits))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="your question about the talks")],
    mode: ModeOpt = None,
    k: Annotated[int | None, typer.Option("-k", min=1, max=50, help="passages to read")] = None,
    speaker: SpeakerOpt = None,
    talk: TalkOpt = None,
    event: EventOpt = None,
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Answer a question in a few sentences, each citing talk, speaker and moment."""
    from talkrag import render  # noqa: PLC0415
    from talkrag.rag.answer import answer  # noqa: PLC0415
    from talkrag.rag.retrieve import open_retriever  # noqa: PLC0415

    with reported_errors():
        filters = _filters(speaker=speaker, talk=talk, event=event)
        settings = _rag_settings(
            db=db, chroma_url=chroma_url, mode=mode.value if mode else None, k=k
        )
        result = answer(question, open_retriever(settings), settings, filters=filters)
    if json_out:
        _emit(result.model_dump(include={"answer", "refused", "citations", "mode", "notice"}))
    else:
        typer.echo(render.answer(result))


@app.command()
def chat(
    mode: ModeOpt = None,
    speaker: SpeakerOpt = None,
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
) -> None:
    """Ask questions in turn; follow-ups use the conversation so far. Empty line or EOF ends."""
    from talkrag import render  # noqa: PLC0415
    from talkrag.rag.answer import answer  # noqa: PLC0415
    from talkrag.rag.retrieve import open_retriever  # noqa: PLC0415

    with reported_errors():
        settings = _rag_settings(db=db, chroma_url=chroma_url, mode=mode.value if mode else None)
        retriever = open_retriever(settings)
    history: list[dict[str, str]] = []
    filters = _filters(speaker=speaker)
    while question := _prompt():
        with reported_errors():
            result = answer(question, retriever, settings, filters=filters, history=history)
        typer.echo(render.answer(result) + "\n")
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": result.answer},
        ]


@app.command()
def mcp(
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
    http: Annotated[
        bool, typer.Option("--http", help="streamable HTTP on 127.0.0.1 instead of stdio")
    ] = False,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port for --http")] = 8765,
) -> None:
    """Serve the index to MCP clients: tools search_talks, ask, list_talks, get_talk."""
    from talkrag.api.mcp_server import serve  # noqa: PLC0415  (mcp loads only here)
    from talkrag.ingest.store import open_client  # noqa: PLC0415

    with reported_errors():
        settings = _rag_settings(db=db, chroma_url=chroma_url)
        open_client(settings.db, settings.chroma_url, create=False)  # fail now, not per call
    serve(settings, http=http, port=port)


@app.command()
def serve(
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
    host: Annotated[
        str | None, typer.Option("--host", help="interface to listen on [default 127.0.0.1]")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="TCP port [default 8000]")
    ] = None,
    mode: ModeOpt = None,
    allow_no_key: Annotated[
        bool,
        typer.Option(
            "--allow-no-key", help="serve on a non-loopback interface without TALKRAG_API_KEY"
        ),
    ] = False,
) -> None:
    """Serve the HTTP API, the OpenAI-compatible endpoint and the web page (one worker)."""
    from talkrag.api.serve import exposure_warning, serve  # noqa: PLC0415  (fastapi, uvicorn)
    from talkrag.api.settings import ApiSettings, is_loopback  # noqa: PLC0415

    with reported_errors():
        settings = ApiSettings(
            **{
                k: v
                for k, v in {
                    "db": db,
                    "chroma_url": chroma_url,
                    "host": host,
                    "port": port,
                    "mode": mode.value if mode else None,
                }.items()
                if v is not None
            }
        )
    exposed = settings.api_key is None and not is_loopback(settings.host)
    if exposed and not allow_no_key:
        _error(
            f"refusing to serve on {settings.host} without TALKRAG_API_KEY: set it, "
            "or pass --allow-no-key"
        )
        raise typer.Exit(EXIT_ERROR)
    if warning := exposure_warning(settings):
        typer.echo(f"talkrag: {warning}", err=True)
    with reported_errors():
        serve(settings)


class VerifierName(StrEnum):
    """Who checks the claims of an eval run."""

    offline = "offline"
    llm = "llm"


@app.command("eval")
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
        Path | None, typer.Option("--corpus", help="root of evidence files [../shared/corpus]")
    ] = None,
    k: Annotated[int | None, typer.Option("-k", min=1, max=50, help="passages to read")] = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option("--fail-under", help="metric=value gate (exit 3 when missed); repeatable"),
    ] = None,
    files: Annotated[int, typer.Option("--files", help="meta: transcripts to draw")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="meta: seed of the labelled set")] = 0,
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
        result = _eval_target(commands, target, settings, files, seed, json_out)
        failed = commands.failed_gates(result.get("metrics", {}), gates)
    if json_out:
        _emit(result | {"gates_failed": failed})
    else:
        typer.echo(commands.render_result(result))
    for line in failed:
        _error(f"--fail-under: {line}")
    if failed:
        raise typer.Exit(EXIT_ITEMS_FAILED)


def _eval_target(
    commands: Any, target: list[str], settings: Any, files: int, seed: int, json_out: bool
) -> dict[str, Any]:
    """Dispatch `eval DATASET`, `eval compare A B` and `eval meta`."""
    from talkrag import render  # noqa: PLC0415

    if target[0] == "compare" and len(target) == 3:  # noqa: PLR2004
        return commands.compare_runs(Path(target[1]), Path(target[2]))
    if target[0] == "meta" and len(target) == 1:
        return commands.meta_eval(settings, files, seed)
    if len(target) != 1:
        raise typer.BadParameter("give one DATASET, or `compare RUN_A RUN_B`, or `meta`")
    with render.count_bar("eval", not json_out and sys.stderr.isatty()) as on_progress:
        return commands.evaluate_dataset(settings, Path(target[0]), on_progress)


def _prompt() -> str:
    try:
        return input("talkrag> " if sys.stdin.isatty() else "").strip()
    except EOFError:
        return ""


def main() -> None:
    """Entry point: the only place that catches every exception, so users never see a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # the one broad handler: a bug, reported in one line
        if os.environ.get("TALKRAG_DEBUG"):
            raise
        typer.echo(
            f"talkrag: internal error ({type(exc).__name__}: {exc}); rerun with TALKRAG_DEBUG=1",
            err=True,
        )
        sys.exit(EXIT_BUG)
