"""Lexical support and hard checks of a claim against evidence: terms, numbers, names, negation.

Pure text functions, deterministic; `verify.py` combines them with embedding similarity.
"""

from __future__ import annotations

import re
from functools import cache

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*|\d+(?:[.,]\d+)*%?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_TENS |= {"ninety": 90}
_SCALES = {"hundred": "100", "thousand": "1000", "million": "1000000", "billion": "1000000000"}
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_UNITS)} | {w: str(n) for w, n in _TENS.items()}
_NUMBER_WORDS |= _SCALES | {"half": "0.5", "twice": "2", "double": "2", "percent": "%"}
_CALENDAR = frozenset(
    (
        "january february march april may june july august september october november december "
        "monday tuesday wednesday thursday friday saturday sunday"
    ).split()
)
NEGATIONS = frozenset("not no never none nobody nothing neither nor cannot without".split())
_STOP = frozenset(
    (
        "the a an and or but if then so of to in on at by for with from as is are was were be "
        "been being it its this that these those there here they them their we our us you your "
        "he she his her i me my do does did have has had will would can could should may might "
        "must what which who whom whose when where why how all any some more most very just also "
        "about into over than too only really actually like yeah um uh okay ok kind sort lot "
        "thing things get got going gonna want know think mean say said one"
    ).split()
)
MIN_TERM = 3  # shorter words carry little content
MAX_NOVEL = 3  # content words absent from all cited text: an unsupported addition
_NOT_NAMES = frozenset("i i'm i've i'd i'll ok okay ai".split())


@cache
def _stemmer() -> object:
    import Stemmer  # noqa: PLC0415  (PyStemmer, a core dependency through bm25s)

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Word and number tokens, lowercased, curly apostrophes made straight."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def terms(text: str) -> set[str]:
    """Content terms, stemmed: what a supported claim must find in its evidence."""
    kept = [
        w
        for w in words(text)
        if w not in _STOP
        and len(w) >= MIN_TERM
        and not w.isdigit()
        and w not in NEGATIONS
        and not w.endswith("n't")  # negation has its own check
    ]
    return set(_stemmer().stemWords(kept))  # type: ignore[attr-defined]


def numbers(text: str) -> set[str]:
    """The numbers a text states, digits or words ("fifty", "50", "1,000" -> "1000")."""
    found = {m.replace(",", "").rstrip(".") for m in _NUMBER.findall(text)}
    found |= {_NUMBER_WORDS[w] for w in words(text) if w in _NUMBER_WORDS and w != "percent"}
    return found


def names(text: str) -> set[str]:
    """Names and dates: capitalised words not opening a sentence, acronyms, months, weekdays."""
    out: set[str] = set()
    for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
        tokens = _WORD.findall(sentence)
        for position, token in enumerate(tokens):
            low = token.lower().replace("’", "'")
            capitalised = token[0].isupper() and position > 0 and low not in _NOT_NAMES | _STOP
            if low in _CALENDAR or capitalised:
                out.add(low)
    return out


def negations(text: str) -> list[tuple[str, str | None]]:
    """Each negation in a text, with the content word it negates (the next one), if any."""
    tokens = words(text)
    out = []
    for i, token in enumerate(tokens):
        if token in NEGATIONS or token.endswith("n't"):
            after = next((t for t in tokens[i + 1 : i + 5] if t not in _STOP), None)
            out.append((token, after))
    return out


def coverage(claim: str, evidence: str) -> float:
    """Share of the claim's content terms that the evidence contains (1.0 for a claim of none)."""
    wanted = terms(claim)
    return len(wanted & terms(evidence)) / len(wanted) if wanted else 1.0


def failed_checks(claim: str, evidence: str, context: str) -> list[str]:
    """Hard checks: numbers, names and content words of the claim must be in the context,
    and negation must agree with the evidence.

    Numbers, names and words are looked up in all the cited text (context), so a claim may draw
    on several sentences; negation is compared with the best-aligned evidence, where a dropped
    or added "not" changes the meaning.
    """
    failed = []
    novel = terms(claim) - terms(context)
    if len(novel) >= MAX_NOVEL:
        failed.append(f"{len(novel)} content words not in evidence: {', '.join(sorted(novel))}")
    missing = numbers(claim) - numbers(context)
    if missing:
        failed.append(f"numbers not in evidence: {', '.join(sorted(missing))}")
    context_words = set(words(context))
    absent = {n for n in names(claim) if n not in context_words}
    if absent:
        failed.append(f"names not in evidence: {', '.join(sorted(absent))}")
    if _negation_differs(claim, evidence):
        failed.append("negation differs from the evidence")
    return failed


def _negation_differs(claim: str, evidence: str) -> bool:
    """A negation in one that the other lacks, where it negates a word both share."""
    claim_neg, evidence_neg = negations(claim), negations(evidence)
    if len(claim_neg) > len(evidence_neg):
        return True
    claim_words = set(words(claim))
    return not claim_neg and any(after in claim_words for _, after in evidence_neg if after)
