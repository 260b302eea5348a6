"""Build a talkrag manifest (JSONL, keyed by video id) from the AI Engineer World's Fair metadata.

Usage: python scripts/aiewf_manifest.py ../shared/corpus/aiewf2026/metadata > aiewf2026.jsonl

The official schedule is canonical for titles, speakers and dates; the playlist manifest says
which video records which scheduled talk (by slug). Videos with no schedule match keep the
playlist title. Channel videos outside the playlist get their channel title only.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

EVENT = "AI Engineer World's Fair 2026"


def slug(text: str) -> str:
    """Lowercase ASCII words joined by dashes, as the manifest's talk slugs are written."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _sessions_by_slug(sessions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each session under `<speaker>-<title>` for every one of its speakers."""
    index = {}
    for session in sessions:
        for speaker in session.get("speakers") or [""]:
            index[f"{slug(speaker)}-{slug(session['title'])}"] = session
    return index


def _match(talk_slug: str, index: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The session a `YYYY-MM-DD-speaker-title` slug names; a prefix match for cut slugs."""
    key = talk_slug[11:]
    if key in index:
        return index[key]
    candidates = [s for k, s in index.items() if key.startswith(k) or k.startswith(key)]
    return candidates[0] if len(candidates) == 1 else None


def entries(metadata: Path) -> list[dict[str, Any]]:
    """Manifest entries for every video the metadata knows."""
    sessions = json.loads((metadata / "official-sessions.json").read_text())["sessions"]
    people = json.loads((metadata / "official-speakers.json").read_text())["speakers"]
    company = {p["name"]: p["company"] for p in people if p.get("name") and p.get("company")}
    videos = json.loads((metadata / "official-wf26-video-manifest.json").read_text())["videos"]
    channel = json.loads((metadata / "aidotengineer-channel-videos-latest.json").read_text())
    index = _sessions_by_slug(sessions)
    out: dict[str, dict[str, Any]] = {}
    for entry in channel.get("entries", []):
        if entry.get("id") and entry.get("title"):
            out[entry["id"]] = {
                "video_id": entry["id"],
                "title": entry["title"],
                "url": f"https://www.youtube.com/watch?v={entry['id']}",
            }
            if entry.get("duration"):
                out[entry["id"]]["duration"] = entry["duration"]
    for video in videos:
        row: dict[str, Any] = {
            "video_id": video["id"],
            "event": EVENT,
            "url": f"https://www.youtube.com/watch?v={video['id']}",
        }
        if video.get("title"):
            row["title"] = video["title"]
        if out.get(video["id"], {}).get("duration"):
            row["duration"] = out[video["id"]]["duration"]
        talks = video.get("matchedTalks") or []
        session = _match(talks[0], index) if talks else None
        if session:
            row.update(
                title=session["title"],
                speakers=session.get("speakers") or [],
                date=talks[0][:10],
                tags=[t for t in [session.get("track")] if t],
            )
            firms = [company[s] for s in row["speakers"] if s in company]
            if firms:
                row["companies"] = list(dict.fromkeys(firms))
        out[video["id"]] = row
    return sorted(out.values(), key=lambda r: r["video_id"])


def main() -> None:
    """Write the manifest for the metadata folder named on the command line to stdout."""
    if len(sys.argv) != 2:  # noqa: PLR2004
        sys.exit(__doc__)
    for row in entries(Path(sys.argv[1])):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
