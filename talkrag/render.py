"""Terminal rendering for the CLI: progress bars, summaries and tables (the only rich user)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from talkrag.ingest.pipeline import IngestReport
from talkrag.rag.models import Answer, Hit
from talkrag.rag.present import in_context, shown_moment, source_line


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int, int], None] | None]:
    """A rich progress bar on stderr, fed by the pipeline's on_progress callback."""
    if not enabled:
        yield None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # noqa: PLC0415

    progress = Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TextColumn("{task.fields[chunks]} chunks added"),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("ingest", total=None, chunks=0)

    def update(done: int, total: int, chunks: int) -> None:
        progress.update(task, completed=done, total=total, chunks=chunks)

    with progress:
        yield update


def ingest_summary(report: IngestReport) -> str:
    """One paragraph saying what an ingest run did."""
    rate = report.words_embedded / report.embed_seconds if report.embed_seconds else 0.0
    lines = [
        f"{report.files} files: {report.ingested} ingested, "
        f"{report.unchanged} unchanged, {len(report.failed)} failed",
        f"{report.chunks_added} chunks added, {report.chunks_removed} removed"
        + (f", {report.pruned} files pruned" if report.pruned else ""),
        f"{report.talks} talks in the index ({report.seconds:.1f} s"
        + (f", {rate:,.0f} words/s embedded)" if report.words_embedded else ")"),
    ]
    return "\n".join(lines)


SNIPPET_CHARS = 400


def talks_table(rows: list[dict[str, Any]]) -> str:
    """The ingested talks, one line each: id, chunks, title, speakers."""
    if not rows:
        return "no talks ingested yet: run `talkrag ingest transcripts/`"
    lines = []
    for row in rows:
        speakers = ", ".join(row["speakers"]) or "unknown speaker"
        lines.append(f"{row['talk_id']:<24} {row['chunks']:>4} chunks  {row['title']} — {speakers}")
    return "\n".join(lines)


def hits(results: list[Hit]) -> str:
    """Ranked passages: talk, speaker and moment, link, then the passage itself."""
    if not results:
        return "nothing found: is the index empty? run `talkrag ingest transcripts/`"
    blocks = []
    for hit in results:
        who = ", ".join(hit.speakers) or "unknown speaker"
        shown = shown_moment(hit.start, hit.time_estimated)
        when = f" @ {shown}" if shown else ""
        text = hit.text
        if len(text) > SNIPPET_CHARS:
            text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
        blocks.append(
            f"{hit.rank}. {hit.title} — {who}{when}  (score {hit.score:.2f})\n"
            + (f"   {hit.url}\n" if hit.url else "")
            + f"   {text}"
        )
    return "\n\n".join(blocks)


def answer(result: Answer) -> str:
    """The answer, then its numbered sources: talk — speaker @ m:ss (~ estimated), the link."""
    lines = [result.answer]
    if result.notice:
        lines.append(f"(note: {result.notice})")
    if result.citations:
        lines.append("")
    for c in result.citations:
        lines.append(source_line(c))
        if quoted := in_context(c):
            lines.append(f"    {quoted}")
        if c.url:
            lines.append(f"    {c.url}")
    return "\n".join(lines)


@contextmanager
def count_bar(label: str, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr for `done of total` work (eval runs)."""
    if not enabled:
        yield None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # noqa: PLC0415

    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield update
