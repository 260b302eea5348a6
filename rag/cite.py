"""[n] citations in an LLM answer checked against the sources given: drop unknown, mark uncited.

`check_citations` rewrites every citation group into canonical `[n]` tokens: `[1, 2]`,
`[1-2]`, `[1][2]`, `［1］`, `【1】` and `[Source 1]` all become `[1][2]` or `[1]`. Numbers
outside 1..n_sources are removed from the text and reported in `Checked.removed`. A sentence
left without any citation keeps its words but gets the marker `UNCITED` (` [uncited]`), put
where its citation would stand: before the final period (`It is fast [uncited].`), or at the
end when the sentence has no final punctuation. Headings (`## ...`) and lead-ins ending in `:`
are not claims and need no citation; anything else with a word in it does. `renumber` then
numbers the citations 1..m in order of first use, so the Citation list can follow that order.
`hollow` tells an answer that says nothing: only citation markers (`[1][2][3]`), the prompt's
source markup echoed (`Source n="2" talk="..."`), or the question restated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from talkrag.rag.support import negations, numbers, terms

UNCITED = "[uncited]"
MAX_RANGE = 50  # a range [a-b] wider than this is taken as the two numbers a and b

_OPEN, _CLOSE = r"[\[［【]", r"[\]］】]"
_DASH = r"[-–—~]"
_ITEM = rf"(?:sources?\s*:?\s*)?\d+(?:\s*{_DASH}\s*\d+)?"
_SEP = r"(?:\s*[,;，、]\s*(?:and\s+)?|\s+and\s+)"
_GROUP = rf"{_OPEN}\s*{_ITEM}(?:{_SEP}{_ITEM})*\s*{_CLOSE}"
_RUN = re.compile(rf"(?P<pre>[ \t]*)(?P<run>{_GROUP}(?:[ \t]*{_GROUP})*)", re.IGNORECASE)
_GROUP_RE = re.compile(_GROUP, re.IGNORECASE)
_ITEM_RE = re.compile(rf"(\d+)(?:\s*{_DASH}\s*(\d+))?")
_TOKEN = re.compile(r"\[(\d+)\]")
_TERMINAL = r"[.!?。！？]+[\"')”’»]*"
_BOUNDARY = re.compile(rf"{_TERMINAL}(?:[ \t]*\[\d+\])*(?=\s|$)")
_TAIL = re.compile(rf"(?P<end>{_TERMINAL})?[ \t]*$")
# A period after these does not end a sentence; the list is short on purpose, since merging
# two sentences could let a cited one cover an uncited one.
_ABBREVIATION = re.compile(r"(?:\b(?i:e\.g|i\.e|cf|vs|dr|mr|mrs|ms|prof)|\b[A-Z])$")
_WORD = re.compile(r"\w")
_NOT_A_CLAIM = re.compile(r"#{1,6}\s.*|.*:")  # a heading, or a lead-in to a list


@dataclass(frozen=True, slots=True)
class Checked:
    """An answer after the check: its text and what the check found."""

    text: str  # canonical [n] tokens, unknown numbers removed, uncited sentences marked
    cited: tuple[int, ...]  # source numbers cited, in order of first use
    removed: tuple[int, ...]  # numbers cited that were not among the sources, in order
    uncited: tuple[str, ...]  # sentences left with no valid citation, before marking


def _numbers(group: str) -> list[int]:
    """The numbers a citation group names, ranges expanded."""
    out: list[int] = []
    for first, last in _ITEM_RE.findall(group):
        lo, hi = int(first), int(last or first)
        lo, hi = min(lo, hi), max(lo, hi)
        out.extend(range(lo, hi + 1) if hi - lo <= MAX_RANGE else (lo, hi))
    return out


def _unique(numbers: Sequence[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(numbers))


def _canonical(text: str, n_sources: int) -> tuple[str, list[int]]:
    """Citation runs rewritten as `[a][b]`; out-of-range numbers dropped and returned."""
    removed: list[int] = []

    def replace(match: re.Match[str]) -> str:
        numbers = _unique([n for g in _GROUP_RE.findall(match["run"]) for n in _numbers(g)])
        valid = [n for n in numbers if 1 <= n <= n_sources]
        removed.extend(n for n in numbers if n not in valid)
        return (match["pre"] + "".join(f"[{n}]" for n in valid)) if valid else ""

    return _RUN.sub(replace, text), removed


def _spans(line: str) -> Iterator[tuple[int, int]]:
    """Sentence spans of one line; citations after a final period belong to its sentence."""
    start = 0
    for match in _BOUNDARY.finditer(line):
        if _ABBREVIATION.search(line[start : match.start()]) and match[0].startswith("."):
            continue
        yield start, match.end()
        start = match.end()
    if line[start:].strip():
        yield start, len(line)


def _mark(sentence: str) -> str:
    """The sentence with the UNCITED marker where its citation would stand."""
    tail = _TAIL.search(sentence)
    if tail is None:  # unreachable: every part of the pattern is optional
        return f"{sentence} {UNCITED}"
    body = sentence[: tail.start()].rstrip()
    return f"{body} {UNCITED}{tail['end'] or ''}{sentence[tail.end() :]}"


def _is_uncited_claim(sentence: str) -> bool:
    """Whether a sentence makes a claim (has a word, is no heading or lead-in) and cites nothing."""
    words = sentence.strip()
    return not (_TOKEN.search(words) or not _WORD.search(words) or _NOT_A_CLAIM.fullmatch(words))


def _check_line(line: str, uncited: list[str]) -> str:
    """The line with each uncited claim marked; those claims are appended to `uncited`."""
    parts: list[str] = []
    for start, end in _spans(line):
        sentence = line[start:end]
        if not _is_uncited_claim(sentence):
            parts.append(sentence)
            continue
        lead = sentence[: len(sentence) - len(sentence.lstrip())]
        uncited.append(sentence.strip())
        parts.append(lead + _mark(sentence.strip()) + sentence[len(sentence.rstrip()) :])
    return "".join(parts) if parts else line


def check_citations(text: str, n_sources: int) -> Checked:
    """Check an answer's [n] citations against n_sources numbered sources."""
    clean, removed = _canonical(text, n_sources)
    uncited: list[str] = []
    lines = [_check_line(line, uncited) for line in clean.split("\n")]
    cited = _unique([int(n) for n in _TOKEN.findall(clean)])
    return Checked("\n".join(lines).strip(), cited, _unique(removed), tuple(uncited))


def renumber(text: str, order: Sequence[int]) -> str:
    """Renumber canonical [n] tokens so order[i] becomes i + 1 (order as in Checked.cited)."""
    new = {old: i for i, old in enumerate(order, start=1)}

    def replace(match: re.Match[str]) -> str:
        old = int(match[1])
        if old not in new:
            raise ValueError(f"citation [{old}] is not in the order given: {list(order)}")
        return f"[{new[old]}]"

    return _TOKEN.sub(replace, text)


# The prompt's own markup (rag/prompts.py fences sources as <source n="2" talk="...">): an
# answer that repeats it has copied the prompt, not read the sources.
_ATTRIBUTE = r"\b(?:n|talk|speaker|time)\s*=\s*(?:\"[^\"\n]*\"?|'[^'\n]*'?|\S+)"
_MARKUP = re.compile(
    rf"[<‹]\s*/?\s*source\b[^>›\n]*[>›]?|{_ATTRIBUTE}|"
    r"\b(?:sources?|excerpts?)\b(?:\s+\d+(?:\s+to\s+\d+)?)?",
    re.IGNORECASE,
)
_MARKER = re.compile(rf"{_GROUP}|{re.escape(UNCITED)}", re.IGNORECASE)
RESTATED_BELOW = 2  # one new word ("made" for "make") is the question in other forms


def _news(answer: str, question: str) -> int:
    """How much an answer adds to its question: each new content term counts one, and each new
    number or negation two (one changed word there is an answer: "No, it did not")."""
    facts = {word for word, _ in negations(answer)} | numbers(answer)
    asked = {word for word, _ in negations(question)} | numbers(question)
    return len(terms(answer) - terms(question)) + 2 * len(facts - asked)


def hollow(text: str, question: str, headers: Sequence[str] = ()) -> str | None:
    """Why an answer says nothing (only citation markers, echoed prompt markup, the question
    restated, or the excerpts' headers: their titles and speakers), or None when it says
    something."""
    words = _MARKER.sub(" ", text)
    if not _WORD.search(words):
        return "the model's answer was only citation markers"
    if not _WORD.search(_MARKUP.sub(" ", words)):
        return "the model's answer only repeated the prompt's source markup"
    if _news(_MARKUP.sub(" ", words), " ".join([question, *headers])) < RESTATED_BELOW:
        return "the model's answer only restated the question or the sources' titles and speakers"
    return None
