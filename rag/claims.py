"""Answers -> claims: one claim per sentence, with the [n] citations that close it attached."""

from __future__ import annotations

import re
from dataclasses import dataclass

from talkrag.ingest.chunk import split_sentences
from talkrag.rag.cite import UNCITED

_CITE = re.compile(r"\[(\d+)\]")
_MARK = re.compile(r"\s*" + re.escape(UNCITED), re.IGNORECASE)
# A run of citations closes a claim, with any punctuation right after it: extractive answers
# write "It is fast. [1]", LLM answers "It is fast [1]." Sentences before it in the same stretch
# of text cite nothing. Inside a stretch, sentences split as the chunker splits them (at an end
# mark followed by a capital or digit), so a verbatim transcript sentence stays one claim.
_RUN = re.compile(r"(?:\s*\[\d+\])+[.!?]*[\"')”’]*(?=\s|$)")
_WORD = re.compile(r"[A-Za-z0-9]")
MIN_CHARS = 3


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence of an answer, its citations removed from the text and kept as numbers."""

    text: str
    citations: tuple[int, ...]


def _is_claim(text: str) -> bool:
    return len(text) >= MIN_CHARS and bool(_WORD.search(text)) and not text.endswith(":")


def _stretch(body: str, citations: tuple[int, ...]) -> list[Claim]:
    """The claims of one stretch of text; only its last sentence carries the citations."""
    sentences = [s for s in split_sentences(" ".join(body.split())) if _is_claim(s)]
    return [Claim(s, citations if i == len(sentences) - 1 else ()) for i, s in enumerate(sentences)]


def split_claims(answer: str) -> list[Claim]:
    """The claims of an answer: sentences with a word in them, each with its cited numbers."""
    claims: list[Claim] = []
    for line in _MARK.sub("", answer).splitlines():
        if line.lstrip().startswith("#"):  # a heading makes no claim
            continue
        start = 0
        for run in _RUN.finditer(line):
            numbers = tuple(dict.fromkeys(int(n) for n in _CITE.findall(run[0])))
            claims += _stretch(line[start : run.start()], numbers)
            start = run.end()
        claims += _stretch(_CITE.sub("", line[start:]), ())
    return claims
