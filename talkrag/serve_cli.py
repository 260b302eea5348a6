"""`talkrag serve` and `talkrag mcp`: the index served to HTTP clients and to MCP clients."""

from __future__ import annotations

from typing import Annotated

import typer

from talkrag.options import EXIT_ERROR, DbOpt, ModeOpt, UrlOpt, error, rag_settings, reported_errors


def mcp(
    db: DbOpt = None,
    chroma_url: UrlOpt = None,
    http: Annotated[
        bool, typer.Option("--http", help="streamable HTTP on 127.0.0.1 instead of stdio")
    ] = False,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port for --http")] = 8765,
) -> None:
    """Serve the index to MCP clients: tools search_talks, ask, list_talks, get_talk."""
    from talkrag.faces.mcp_server import serve  # noqa: PLC0415  (mcp loads only here)
    from talkrag.ingest.store import open_client  # noqa: PLC0415

    with reported_errors():
        settings = rag_settings(db=db, chroma_url=chroma_url)
        open_client(settings.db, settings.chroma_url, create=False)  # fail now, not per call
    serve(settings, http=http, port=port)


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
        error(
            f"refusing to serve on {settings.host} without TALKRAG_API_KEY: set it, "
            "or pass --allow-no-key"
        )
        raise typer.Exit(EXIT_ERROR)
    if warning := exposure_warning(settings):
        typer.echo(f"talkrag: {warning}", err=True)
    with reported_errors():
        serve(settings)
