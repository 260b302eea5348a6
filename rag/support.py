"""Lexical support and hard checks of a claim against evidence: terms, numbers, names, negation.

Pure text functions, deterministic; `verify.py` combines them with embedding similarity. A
claim's term counts as found when the evidence holds it, or a word sharing its first PREFIX
letters ("cheaper" and "cheap", "extraction" and "extracting"): paraphrases change word forms.
"""

from __future__ import annotations

import itertools
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
MAX_NOVEL = 4  # content words absent from all cited text: an unsupported addition...
MAX_NOVEL_SHARE = 0.6  # ...when they are also this share of the claim's terms
PREFIX = 5
NEGATED_WINDOW = 4  # words after a negation that it may negate
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


def _value(word: str) -> str | None:
    number = word.replace(",", "").rstrip(".%")
    return _NUMBER_WORDS.get(word) if not number.replace(".", "", 1).isdigit() else number


def numbers(text: str) -> set[str]:
    """The numbers a text states, digits or words ("fifty", "50", "1,000" -> "1000"), and
    each number times the scale after it ("fifteen hundred" and "1.5 thousand" -> "1500")."""
    found = {m.replace(",", "").rstrip(".") for m in _NUMBER.findall(text)}
    tokens = words(text)
    found |= {_NUMBER_WORDS[w] for w in tokens if w in _NUMBER_WORDS and w != "percent"}
    for word, scale in itertools.pairwise(tokens):
        value = _value(word)
        if scale in _SCALES and value and value != "%":
            product = float(value) * float(_SCALES[scale])
            found.add(str(int(product)) if product.is_integer() else str(product))
    if "0.5" in found:  # half is 50%
        found.add("50")
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


def _missing(wanted: set[str], have: set[str]) -> set[str]:
    """The wanted terms that have lacks, even by their first PREFIX letters."""
    prefixes = {t[:PREFIX] for t in have if len(t) >= PREFIX}
    return {t for t in wanted - have if len(t) < PREFIX or t[:PREFIX] not in prefixes}


def coverage(claim: str, evidence: str) -> float:
    """Share of the claim's content terms that the evidence contains (1.0 for a claim of none)."""
    wanted = terms(claim)
    return 1 - len(_missing(wanted, terms(evidence))) / len(wanted) if wanted else 1.0


def failed_checks(claim: str, evidence: str, context: str) -> list[str]:
    """Hard checks: numbers, names and content words of the claim must be in the context,
    and negation must agree with the evidence.

    Numbers, names and words are looked up in all the cited text (context), so a claim may draw
    on several sentences; negation is compared with the best-aligned evidence, where a dropped
    or added "not" changes the meaning.
    """
    failed = []
    wanted = terms(claim)
    novel = _missing(wanted, terms(context))
    if len(novel) >= MAX_NOVEL and len(novel) > MAX_NOVEL_SHARE * len(wanted):
        failed.append(f"{len(novel)} content words not in evidence: {', '.join(sorted(novel))}")
    missing = numbers(claim) - numbers(context)
    if missing:
        failed.append(f"numbers not in evidence: {', '.join(sorted(missing))}")
    said = words(context)
    absent = _absent(names(claim), {*said, *(a + b for a, b in itertools.pairwise(said))})
    if absent:
        failed.append(f"names not in evidence: {', '.join(sorted(absent))}")
    if _negation_differs(claim, evidence, context):
        failed.append("negation differs from the evidence")
    return failed


def _absent(wanted: set[str], have: set[str]) -> set[str]:
    """The names that have lacks, also as a plural or possessive ("VLMs", "Arize's") or as the
    start of a longer word (have holds each pair of words run together: captions split names,
    "chat gpt")."""
    stems = {w.removesuffix("'s").removesuffix("s") for w in have}
    out = set()
    for name in wanted:
        bare = name.removesuffix("'s")
        if name in have or bare in have or bare.removesuffix("s") in stems:
            continue
        if len(bare) >= MIN_TERM and any(w.startswith(bare) for w in have):
            continue
        out.add(name)
    return out


def _negated(text: str) -> list[set[str]]:
    """Per negation in a text, the stems of the content words in the NEGATED_WINDOW after it."""
    tokens = words(text)
    out = []
    for i, token in enumerate(tokens):
        if token in NEGATIONS or token.endswith("n't"):
            window = [t for t in tokens[i + 1 : i + 1 + NEGATED_WINDOW] if t not in _STOP]
            out.append(set(_stemmer().stemWords(window)))  # type: ignore[attr-defined]
    return out


def _shares(a: set[str], b: set[str]) -> bool:
    prefixes = {t[:PREFIX] for t in a if len(t) >= PREFIX}
    return bool(a & b) or bool(prefixes & {t[:PREFIX] for t in b})


def _negation_differs(claim: str, evidence: str, context: str) -> bool:
    """A negation the claim makes that the cited text never makes of the same words (or of
    any, where the claim's negates none), or one the best-aligned evidence makes of a word the
    claim states plainly."""
    claim_neg, context_neg = _negated(claim), _negated(context)
    for window in claim_neg:
        if not any(_shares(window, theirs) or not window for theirs in context_neg):
            return True
    claim_words = set(words(claim))
    return not claim_neg and any(after in claim_words for _, after in negations(evidence) if after)
