"""Transcript files -> Transcript: bytes decoded and checked, then parsed by their format's module.

Every problem with a file's content is a TranscriptError that names the file; nothing else escapes.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable
from pathlib import Path

from talkrag.ingest.errors import TranscriptError
from talkrag.ingest.models import Transcript
from talkrag.ingest.parsers import markdown, plaintext, srt, vtt, whisper, youtube
from talkrag.ingest.parsers.build import load_json

__all__ = ["SUPPORTED_SUFFIXES", "parse_bytes", "parse_file", "read_file"]

Parser = Callable[[Path, str], Transcript]
PARSERS: dict[str, Parser] = {
    ".md": markdown.parse,
    ".markdown": markdown.parse,
    ".txt": plaintext.parse,
    ".srt": srt.parse,
    ".vtt": vtt.parse,
}
SUPPORTED_SUFFIXES: tuple[str, ...] = (*PARSERS, ".json")
MAX_BYTES = 64 * 1024 * 1024  # far above any transcript; guards memory against a stray dump
SAMPLE_CHARS = 8192
MAX_CONTROL_SHARE = 0.05  # text files have next to no control characters
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise TranscriptError(path, f"file is larger than {MAX_BYTES // 2**20} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise TranscriptError(path, f"cannot read file ({exc.strerror or exc})") from exc


def _decode_bytes(path: Path, data: bytes) -> str:
    """Text from UTF-16 (with a BOM), UTF-8 (BOM or not) or, failing that, Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TranscriptError(path, "not valid UTF-16 despite its byte-order mark") from exc
    if b"\x00" in data:
        raise TranscriptError(path, "binary file (contains NUL bytes), not a transcript")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TranscriptError(path, "not UTF-8 or Windows-1252 text; save it as UTF-8") from exc


def decode(path: Path, data: bytes) -> str:
    """The file's text with `\\n` line ends; empty, binary or undecodable files are errors."""
    if not data.strip():
        raise TranscriptError(path, "file is empty")
    text = _decode_bytes(path, data)
    sample = text[:SAMPLE_CHARS]
    controls = sum(1 for c in sample if c not in _TEXT_CONTROLS and unicodedata.category(c) == "Cc")
    if "\x00" in sample or controls > MAX_CONTROL_SHARE * len(sample):
        raise TranscriptError(path, "binary file (mostly control bytes), not a transcript")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TranscriptError(path, "file is empty")
    return text


def _parse_json(path: Path, text: str) -> Transcript:
    """Whisper or YouTube JSON, told apart by shape."""
    data = load_json(path, text)
    if whisper.looks_like(data) and isinstance(data, dict):
        return whisper.from_data(path, data)
    if youtube.looks_like(data):
        return youtube.from_data(path, data)
    raise TranscriptError(
        path,
        "JSON is neither Whisper ({'segments': [...]}) nor YouTube "
        "([{'text', 'start', 'duration'}, ...]) transcript",
    )


def read_file(path: Path) -> bytes:
    """A transcript file's bytes; unreadable or oversized files are a TranscriptError."""
    return _read(path)


def parse_file(path: Path) -> Transcript:
    """Parse one transcript file by its suffix; any problem is a TranscriptError naming it."""
    return parse_bytes(path, _read(path))


def parse_bytes(path: Path, data: bytes) -> Transcript:
    """Parse a transcript file's bytes, already read, by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise TranscriptError(path, f"unsupported file type '{suffix}' (supported: {supported})")
    text = decode(path, data)
    if suffix == ".json":
        return _parse_json(path, text)
    return PARSERS[suffix](path, text)
