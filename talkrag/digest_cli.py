"""`talkrag digest`: a cited recap of the talks in the index, as Markdown, HTML or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from talkrag.ingest.errors import InputError
from talkrag.options import (
    DbOpt,
    EventOpt,
    JsonOpt,
    ModeOpt,
    SinceOpt,
    SpeakerOpt,
    UntilOpt,
    UrlOpt,
    emit,
    make_filters,
    rag_settings,
    reported_errors,
)
from talkrag.rag.digest_models import DEFAULT_THEMES, MAX_THEMES, plural

if TYPE_CHECKING:
    from talkrag.rag.digest_models import Digest


def digest(
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
    event: EventOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    speaker: SpeakerOpt = None,
    track: Annotated[
        str | None, typer.Option("--track", help="only talks of this schedule track (part)")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="what the talks said about one subject")
    ] = None,
    themes: Annotated[
        int, typer.Option("--themes", min=1, max=MAX_THEMES, help="how many themes")
    ] = DEFAULT_THEMES,
    mode: ModeOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="write FILE.md or FILE.html instead of stdout")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """A recap of the talks: themes, their talks and verbatim quotes linked at the moment."""
    from talkrag import render  # noqa: PLC0415  (keeps `talkrag --help` fast)
    from talkrag.rag.answer import make_llm  # noqa: PLC0415
    from talkrag.rag.digest import make_digest  # noqa: PLC0415
    from talkrag.rag.digest_markdown import digest_markdown  # noqa: PLC0415
    from talkrag.rag.digest_models import DigestRequest  # noqa: PLC0415
    from talkrag.rag.retrieve import open_retriever  # noqa: PLC0415

    if out is not None and out.suffix.lower() not in {".md", ".html", ".htm"}:
        raise typer.BadParameter(f"{out}: write a .md or .html file", param_hint="--out")
    with reported_errors():
        filters = make_filters(speaker=speaker, event=event, date_from=since, date_to=until)
        settings = rag_settings(db=db, chroma_url=chroma_url, mode=mode.value if mode else None)
        llm = make_llm(settings) if settings.mode == "llm" else None
        request = DigestRequest(filters, track, topic, themes, settings.mode)
        retriever = open_retriever(settings)
        with render.count_bar("digest", not json_out and sys.stderr.isatty()) as tick:
            result = make_digest(retriever, request, llm, on_progress=tick)
        if json_out:
            emit(result.wire())
        elif out is None:
            typer.echo(digest_markdown(result), nl=False)
        else:
            _write(out, result)
            themes, talks = plural(len(result.themes), "theme"), plural(result.talks, "talk")
            typer.echo(f"wrote {out} ({themes}, {talks})")


def _write(out: Path, result: Digest) -> None:
    """The digest into out, as HTML or Markdown by its suffix; InputError when it cannot be."""
    from talkrag.rag.digest_html import digest_html  # noqa: PLC0415
    from talkrag.rag.digest_markdown import digest_markdown  # noqa: PLC0415

    page = digest_markdown(result) if out.suffix.lower() == ".md" else digest_html(result)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write ({exc.strerror or exc})") from exc
