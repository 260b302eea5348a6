"""What every talkrag command shares: options, settings from flags, errors and JSON output."""

from __future__ import annotations

import json
import logging
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
from talkrag.rag.settings import MAX_K, MODES

EXIT_ERROR, EXIT_ITEMS_FAILED, EXIT_INTERRUPTED, EXIT_BUG = 1, 3, 130, 70

DbOpt = Annotated[Path | None, typer.Option("--db", help="Chroma data directory [env TALKRAG_DB]")]
UrlOpt = Annotated[
    str | None,
    typer.Option("--chroma-url", help="Chroma server URL instead of --db [env TALKRAG_CHROMA_URL]"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")]
VerboseOpt = Annotated[int, typer.Option("-v", "--verbose", count=True, help="-v info, -vv debug")]


def ingest_settings(**overrides: Any) -> IngestSettings:
    """Settings from TALKRAG_* env vars, with the flags that were given on top."""
    return IngestSettings(**{k: v for k, v in overrides.items() if v is not None})


def setup_logging(verbose: int) -> None:
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )


def error(message: str) -> None:
    typer.echo(f"talkrag: error: {message}", err=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a TalkragError into one line on stderr and exit status 1."""
    try:
        yield
    except TalkragError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    except ValidationError as exc:  # a TALKRAG_* variable or option value that cannot work
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
        )
        error(f"invalid setting: {problems}")
        raise typer.Exit(EXIT_ERROR) from None


def emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=None))


SpeakerOpt = Annotated[
    str | None, typer.Option("--speaker", help="only what this speaker said (part of a name)")
]
TalkOpt = Annotated[str | None, typer.Option("--talk", help="only this talk (id or title part)")]
EventOpt = Annotated[str | None, typer.Option("--event", help="only talks of this event")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="talks on or after YYYY-MM-DD")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="talks on or before YYYY-MM-DD")]


Mode = StrEnum("Mode", {m: m for m in MODES})  # how answers are written (rag.settings.Mode)


ModeOpt = Annotated[
    Mode | None,
    typer.Option("--mode", help="extractive (no LLM, default) or llm [env TALKRAG_MODE]"),
]


KOpt = Annotated[
    int | None, typer.Option("-k", min=1, max=MAX_K, help="passages to read [default 6]")
]


def make_filters(**values: str | None) -> Any:
    from talkrag.rag.models import Filters  # noqa: PLC0415

    return Filters(**values)


def rag_settings(**overrides: Any) -> Any:
    from talkrag.rag.settings import RagSettings  # noqa: PLC0415

    return RagSettings(**{k: v for k, v in overrides.items() if v is not None})
