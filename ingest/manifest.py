"""Sidecar metadata (JSONL or CSV, keyed by file name or video id) merged into a Talk."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from talkrag.ingest.errors import ManifestError
from talkrag.ingest.links import web_url, youtube_id
from talkrag.ingest.models import Talk

KEY_FIELDS = ("file", "video_id", "videoId", "id")
TALK_FIELDS = ("title", "speakers", "companies", "date", "event", "url", "tags", "duration")
LISTED = ("speakers", "companies", "tags")
Entry = dict[str, Any]


class Manifest:
    """Metadata entries looked up by file name, file stem or YouTube video id."""

    def __init__(self, entries: Mapping[str, Entry] | None = None) -> None:
        self._entries = dict(entries or {})

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> dict[str, Entry]:
        """A copy of the entries by key."""
        return dict(self._entries)

    def lookup(self, path: Path, talk: Talk) -> Entry:
        """The entry for a file: by name, then stem, then the talk's video id or id."""
        keys = [path.name, path.stem, youtube_id(talk.url or "") or "", talk.id]
        for key in keys:
            if key and key in self._entries:
                return self._entries[key]
        return {}

    def apply(self, path: Path, talk: Talk) -> tuple[Talk, Entry]:
        """The talk with the entry's fields overriding the parsed ones, and the entry used."""
        entry = self.lookup(path, talk)
        if not entry:
            return talk, entry
        changes: dict[str, Any] = {k: entry[k] for k in TALK_FIELDS if entry.get(k)}
        for listed in LISTED:
            if listed in changes:
                changes[listed] = tuple(changes[listed])
        if entry.get("talk_id"):
            changes["id"] = str(entry["talk_id"])
        return dataclasses.replace(talk, **changes), entry


def _split_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str):
        sep = ";" if ";" in value else "|" if "|" in value else ","
        return [v.strip() for v in value.split(sep) if v.strip()]
    return []


def _seconds(path: Path, where: str, value: Any) -> float:
    """A video's length in seconds from JSON or CSV; anything else is a ManifestError."""
    try:
        seconds = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        shown = str(value)[:40]
        raise ManifestError(path, f"{where}: duration: not a length in seconds: {shown!r}")
    return seconds


def _normalise(path: Path, where: str, raw: Any) -> tuple[str, Entry]:
    """Check one entry's shape and pull out its key."""
    if not isinstance(raw, dict):
        raise ManifestError(path, f"{where}: expected an object with a file or video_id key")
    key = next((str(raw[k]).strip() for k in KEY_FIELDS if raw.get(k)), "")
    if not key:
        raise ManifestError(path, f"{where}: no key: give one of {', '.join(KEY_FIELDS)}")
    entry: Entry = {k: raw[k] for k in (*TALK_FIELDS, "talk_id") if raw.get(k) not in (None, "")}
    for listed in LISTED:
        if listed in entry:
            entry[listed] = _split_list(entry[listed])
    for text_field in ("title", "date", "event", "url", "talk_id"):
        if text_field in entry and not isinstance(entry[text_field], str):
            entry[text_field] = str(entry[text_field])
    if "duration" in entry:
        entry["duration"] = _seconds(path, where, entry["duration"])
    if "url" in entry and web_url(entry["url"]) is None:
        raise ManifestError(path, f"{where}: url: not an http(s) address: {entry['url'][:80]!r}")
    return key, entry


def _rows(path: Path, text: str) -> list[tuple[str, Any]]:
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        return [(f"row {i}", row) for i, row in enumerate(reader, start=2)]
    rows: list[tuple[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ManifestError(path, f"line {number}: not valid JSON ({exc.msg})") from exc
    return rows


def load_manifest(path: Path) -> Manifest:
    """Read a JSONL or CSV manifest; a bad line raises ManifestError naming file and line."""
    if path.suffix.lower() not in {".jsonl", ".csv"}:
        raise ManifestError(path, "a manifest must be .jsonl or .csv")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(path, f"cannot read ({exc})") from exc
    entries: dict[str, Entry] = {}
    for where, raw in _rows(path, text):
        key, entry = _normalise(path, where, raw)
        entries[key] = {**entries.get(key, {}), **entry}
    return Manifest(entries)


def merge(manifests: list[Manifest]) -> Manifest:
    """One manifest from several; later ones win."""
    merged: dict[str, Entry] = {}
    for manifest in manifests:
        for key, entry in manifest.entries().items():
            merged[key] = {**merged.get(key, {}), **entry}
    return Manifest(merged)
