"""YAML front matter of markdown transcripts: split from the body, read as plain fields."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from talkrag.ingest.errors import TranscriptError

Meta = dict[str, object]
_OPENING = re.compile(r"---[ \t]*\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\s&\s|\sand\s)\s*")
MAX_FIELD = 2000  # characters kept of one field: titles and names are short


def split_front_matter(path: Path, text: str) -> tuple[Meta, str]:
    """(front matter fields, body); no front matter gives ({}, text); bad YAML is an error."""
    opening = _OPENING.match(text)
    if opening is None:
        return {}, text
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        raise TranscriptError(path, "front matter opened with '---' is never closed")
    block = text[opening.end() : closing.start()]
    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 2}" if where is not None else ""
        raise TranscriptError(path, f"front matter is not valid YAML{line}") from exc
    except RecursionError as exc:
        raise TranscriptError(path, "front matter is nested too deeply to read") from exc
    except (ValueError, TypeError, OverflowError) as exc:
        raise TranscriptError(path, f"front matter has a value YAML cannot read ({exc})") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise TranscriptError(path, "front matter is not a mapping of fields (key: value)")
    return {str(k): v for k, v in meta.items()}, text[closing.end() :]


def scalar(meta: Meta, key: str) -> str | None:
    """A field as a non-empty string (dates as ISO), None when absent, empty or not a scalar."""
    value = meta.get(key)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        text = str(value).strip()
    except ValueError:  # an integer too long to print
        return None
    return text[:MAX_FIELD] or None


def strings(meta: Meta, key: str) -> tuple[str, ...]:
    """A list field (or a `a, b & c` string) as distinct non-empty strings."""
    value = meta.get(key)
    if isinstance(value, str):
        items: list[object] = list(_LIST_SPLIT.split(value))
    elif isinstance(value, list):
        items = list(value)
    else:
        return ()
    found = (scalar({"v": item}, "v") for item in items)
    return tuple(dict.fromkeys(s for s in found if s))
