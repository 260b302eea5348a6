"""The digest's figures on a built index: wall time, talks represented, quotes verbatim, theme
coherence, and the themes beside the official tracks of official-sessions.json.

python -m bench.digest --db DIR [--themes 8] [--out digest.md]
(the whole corpus: `make bench-index` builds .bench/corpus-db with the schedule manifest)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

from talkrag.rag.digest import make_digest
from talkrag.rag.digest_figures import (
    coherence,
    in_source,
    primary_theme,
    represented,
    track_map,
    verbatim,
)
from talkrag.rag.digest_markdown import digest_markdown
from talkrag.rag.digest_models import DEFAULT_THEMES, Digest, DigestRequest
from talkrag.rag.retrieve import open_retriever
from talkrag.rag.settings import RagSettings

from bench import CORPUS, REPO

SESSIONS = CORPUS / "aiewf2026" / "metadata" / "official-sessions.json"
_KEY = re.compile(r"[^a-z0-9]+")


def official_tracks(path: Path, titles: dict[str, str]) -> dict[str, str]:
    """talk id -> the official track of the session of the same title (unambiguous ones)."""
    tracks: dict[str, set[str]] = {}
    for session in json.loads(path.read_text())["sessions"]:
        if session.get("track"):
            tracks.setdefault(_KEY.sub(" ", session["title"].lower()).strip(), set()).add(
                session["track"]
            )
    found = {}
    for talk, title in titles.items():
        named = tracks.get(_KEY.sub(" ", title.lower()).strip(), set())
        if len(named) == 1:
            found[talk] = next(iter(named))
    return found


def in_files(digest: Digest) -> tuple[int, int]:
    """Quotes found word for word in their transcript file, of all quotes."""
    quotes = digest.citations()
    texts: dict[str, str] = {}
    found = 0
    for q in quotes:
        if q.source not in texts:
            texts[q.source] = Path(q.source).read_text(encoding="utf-8", errors="replace")
        found += bool(q.quote) and in_source(q.quote or "", texts[q.source])
    return found, len(quotes)


def _track_table(digest: Digest, tracks: dict[str, str]) -> list[str]:
    mapping = track_map(primary_theme(digest), tracks)
    lines = [
        f"themes vs official tracks ({sum(mapping.pairs.values())} talks with both): purity "
        f"{mapping.purity:.2f}, inverse purity {mapping.inverse_purity:.2f}, NMI {mapping.nmi:.2f}",
        "",
        "| theme | its official track | its talks' official tracks (talks) |",
        "|---|---|---|",
    ]
    for t in digest.themes:
        top = ", ".join(f"{tr} ({n})" for tr, n in mapping.tracks_of(t.n)[:4])
        lines.append(f"| {t.n}. {t.name} | {t.track or '-'} | {top} |")
    lines += ["", "| official track | talks | themes (talks) |", "|---|---|---|"]
    for track in sorted(set(tracks.values())):
        themes = mapping.themes_of(track)
        if themes:
            shown = ", ".join(f"{th} ({n})" for th, n in themes[:3])
            lines.append(f"| {track} | {sum(n for _, n in themes)} | {shown} |")
    return lines


def report(db: Path, themes: int = DEFAULT_THEMES, out: Path | None = None) -> Digest:
    """Make the digest of the whole index, print its figures, and return it."""
    began = time.perf_counter()
    retriever = open_retriever(RagSettings(db=db))
    opened = time.perf_counter() - began
    digest = make_digest(retriever, DigestRequest(themes=themes))
    seconds = time.perf_counter() - began
    talks = {m["talk_id"] for m in retriever.rows.metas}
    shares = represented(digest, talks)
    found, total = in_files(digest)
    fit = coherence(digest)
    print(
        f"digest of {digest.talks} talks, {digest.chunks:,} passages, {len(digest.themes)} "
        f"themes: {seconds:.1f} s in process ({opened:.1f} s of it opening the index); load "
        f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"talks represented: listed {shares['listed']:.1%}, quoted {shares['quoted']:.1%}")
    print(
        f"quotes verbatim: in their passage {verbatim(digest):.1%}, in their transcript file "
        f"{found}/{total} ({found / max(total, 1):.1%})"
    )
    print(
        f"theme coherence: quotes nearest their own theme's centre {fit['own_centre']:.1%}; "
        f"distinct talks per theme's quotes: least {fit['talks_min']:.0f}, mean "
        f"{fit['talks_mean']:.1f}"
    )
    if SESSIONS.is_file():
        titles = {t.talk_id: t.title for theme in digest.themes for t in theme.talks}
        print("\n".join(_track_table(digest, official_tracks(SESSIONS, titles))))
    if out is not None:
        out.write_text(digest_markdown(digest), encoding="utf-8")
    return digest


def main() -> None:
    """Parse arguments and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.digest", description=__doc__)
    parser.add_argument("--db", type=Path, default=REPO / ".bench" / "corpus-db")
    parser.add_argument("--themes", type=int, default=DEFAULT_THEMES)
    parser.add_argument("--out", type=Path, help="also write the digest's Markdown here")
    args = parser.parse_args()
    if not (args.db / "chroma.sqlite3").is_file():
        print(f"skipped: no index at {args.db} (make bench-index builds the whole corpus)")
        return
    report(args.db, args.themes, args.out)


if __name__ == "__main__":
    main()
