"""Answers -> claims: one claim per sentence, with the [n] citations that follow it attached."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CITE = re.compile(r"\[(\d+)\]")
_MARK = re.compile(r"\s*\[uncited\]", re.IGNORECASE)
# A sentence ends at terminal punctuation; citations right after it still belong to it
# ("It is fast. [1] Next..." as extractive answers write them, or "It is fast [1].").
_END = re.compile(r"[.!?]+[\"')\]”’]*(?:\s*\[\d+\])*(?=\s|$)")
_ABBREVIATION = re.compile(r"(?:\b(?i:e\.g|i\.e|cf|vs|dr|mr|mrs|ms|prof)|\b[A-Z])$")
_WORD = re.compile(r"[A-Za-z0-9]")
MIN_CHARS = 3


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence of an answer, its citations removed from the text and kept as numbers."""

    text: str
    citations: tuple[int, ...]


def _sentences(text: str) -> list[str]:
    out, start = [], 0
    for match in _END.finditer(text):
        if _ABBREVIATION.search(text[start : match.start()]) and match[0].startswith("."):
            continue
        out.append(text[start : match.end()])
        start = match.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def split_claims(answer: str) -> list[Claim]:
    """The claims of an answer: sentences with a word in them, each with its cited numbers."""
    claims = []
    for line in answer.splitlines():
        if line.lstrip().startswith("#"):  # a heading makes no claim
            continue
        for sentence in _sentences(line):
            numbers = tuple(dict.fromkeys(int(n) for n in _CITE.findall(sentence)))
            text = _MARK.sub("", _CITE.sub("", sentence))
            text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
            if len(text) >= MIN_CHARS and _WORD.search(text) and not text.endswith(":"):
                claims.append(Claim(text, numbers))
    return claims
