"""The `talkrag` console command: the one module that imports every layer."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from talkrag.digest_cli import digest
from talkrag.eval_cli import eval_
from talkrag.options import (
    EXIT_BUG,
    EXIT_INTERRUPTED,
    EXIT_ITEMS_FAILED,
    DbOpt,
    EventOpt,
    JsonOpt,
    KOpt,
    ModeOpt,
    SinceOpt,
    SpeakerOpt,
    TalkOpt,
    UntilOpt,
    UrlOpt,
    VerboseOpt,
    emit,
    error,
    ingest_settings,
    make_filters,
    rag_settings,
    reported_errors,
    setup_logging,
)
from talkrag.rag.settings import MAX_K, SEARCH_K
from talkrag.serve_cli import mcp, serve

app = typer.Typer(
    help="Ask what was said in conference talks; every answer cites talk, speaker and moment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # Typer's default dumps locals, keys included
    add_completion=False,
)


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
            help="onnx-int8 (default), onnx, torch or torch-bf16; fixed per index "
            "[env TALKRAG_BACKEND]",
        ),
    ] = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Ingest transcripts into the index; only new or changed files are embedded."""
    from talkrag import render  # noqa: PLC0415  (keeps `talkrag --help` fast)
    from talkrag.ingest.index import run_ingest  # noqa: PLC0415

    setup_logging(verbose)
    with reported_errors():
        settings = ingest_settings(db=db, chroma_url=chroma_url, backend=backend)
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
        error(
            f"{failure.error}"
            if failure.error.startswith(failure.path)
            else f"{failure.path}: {failure.error}"
        )
    if json_out:
        emit(report.to_json())
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
        rows = list_talks(ingest_settings(db=db, chroma_url=chroma_url))
    if json_out:
        emit({"talks": rows})
    else:
        typer.echo(render.talks_table(rows))


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="what to look for, in your own words")],
    k: Annotated[int, typer.Option("-k", min=1, max=MAX_K, help="how many passages")] = SEARCH_K,
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
        filters = make_filters(
            speaker=speaker, talk=talk, event=event, date_from=since, date_to=until
        )
        retriever = open_retriever(ingest_settings(db=db, chroma_url=chroma_url))
        hits, ms = timed_search(retriever, question, k, filters)
        if neighbours:
            hits = [retriever.with_neighbours(h) for h in hits]
    if json_out:
        drop = {"chunk_id"} | (set() if neighbours else {"before", "after"})
        results = [h.model_dump(exclude=drop) for h in hits]
        understood = retriever.understand(question).wire()
        emit({"results": results, "ms": round(ms, 1), "understood": understood})
    else:
        typer.echo(render.hits(hits))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="your question about the talks")],
    mode: ModeOpt = None,
    k: KOpt = None,
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
        filters = make_filters(speaker=speaker, talk=talk, event=event)
        settings = rag_settings(
            db=db, chroma_url=chroma_url, mode=mode.value if mode else None, k=k
        )
        result = answer(question, open_retriever(settings), settings, filters=filters)
    if json_out:
        emit(result.wire())
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
        settings = rag_settings(db=db, chroma_url=chroma_url, mode=mode.value if mode else None)
        retriever = open_retriever(settings)
    history: list[dict[str, str]] = []
    filters = make_filters(speaker=speaker)
    while question := _prompt():
        with reported_errors():
            result = answer(question, retriever, settings, filters=filters, history=history)
        typer.echo(render.answer(result) + "\n")
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": result.answer},
        ]


app.command()(mcp)
app.command()(serve)
app.command("eval")(eval_)
app.command()(digest)


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
        error("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # the one broad handler: a bug, reported in one line
        if os.environ.get("TALKRAG_DEBUG"):
            raise
        typer.echo(
            f"talkrag: internal error ({type(exc).__name__}: {exc}); rerun with TALKRAG_DEBUG=1",
            err=True,
        )
        sys.exit(EXIT_BUG)
