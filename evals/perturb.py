"""Deterministic rewrites of a transcript sentence: light paraphrases and meaning-changing edits.

Each function returns the rewritten sentence, or None when the sentence offers nothing to
rewrite (no number to swap, no auxiliary to negate). Randomness comes only from the Random
passed in, so a seed fixes the whole meta-evaluation set.
"""

from __future__ import annotations

import random
import re

from talkrag.rag.support import names

_FILLERS = re.compile(
    r"\b(?:you know,?|i mean,?|um+,?|uh+,?|basically,?|actually,?|really|kind of|sort of)\s+",
    re.IGNORECASE,
)
_CONTRACTIONS = {
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "we're": "we are",
    "they're": "they are",
    "you're": "you are",
    "i'm": "I am",
    "we've": "we have",
    "don't": "do not",
    "doesn't": "does not",
    "can't": "cannot",
    "isn't": "is not",
}
_CONTRACTION = re.compile(r"\b(" + "|".join(map(re.escape, _CONTRACTIONS)) + r")\b", re.I)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_CALENDAR = re.compile(r"\b(" + "|".join(_MONTHS + _DAYS) + r")\b", re.IGNORECASE)
_NEGATED = re.compile(r"\b(\w+)n't\b|\s+not\b|\s+never\b", re.IGNORECASE)
_AUX = re.compile(
    r"\b(is|are|was|were|can|will|should|could|would|does|do|did|has|have|had)\b", re.I
)
_UNDO = {"can": "can", "won": "will", "don": "do", "doesn": "does", "didn": "did", "isn": "is"}
MIN_CLAUSE = 6


def paraphrase(sentence: str) -> str | None:
    """Fillers dropped and contractions spelled out; the meaning stays."""
    text = _FILLERS.sub("", sentence)
    text = _CONTRACTION.sub(lambda m: _CONTRACTIONS[m[1].lower()], text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[:1].upper() + text[1:] if text != sentence else None


def clause(sentence: str) -> str | None:
    """The sentence's first clause alone, when it says something by itself."""
    head = re.split(r",\s+|;\s+|\s+but\s+|\s+because\s+", sentence, maxsplit=1)[0]
    if head == sentence or len(head.split()) < MIN_CLAUSE:
        return None
    return head.rstrip(".") + "."


def swap_number(sentence: str, rng: random.Random) -> str | None:
    """A number that is no year changed to another."""
    found = [m for m in _NUMBER.finditer(sentence) if not _YEAR.fullmatch(m[0])]
    if not found:
        return None
    match = rng.choice(found)
    value = float(match[0].replace(",", ""))
    new = value * rng.choice((2, 3, 10)) + rng.randint(1, 9)
    shown = str(int(new)) if new.is_integer() else f"{new:.1f}"
    return sentence[: match.start()] + shown + sentence[match.end() :]


def swap_date(sentence: str, rng: random.Random) -> str | None:
    """A year, month or weekday changed to another."""
    if match := _YEAR.search(sentence):
        new = str(int(match[0]) + rng.choice((-3, -2, -1, 1, 2, 3)))
    elif match := _CALENDAR.search(sentence):
        pool = _MONTHS if match[0].capitalize() in _MONTHS else _DAYS
        new = rng.choice([p for p in pool if p.lower() != match[0].lower()])
    else:
        return None
    return sentence[: match.start()] + new + sentence[match.end() :]


def swap_name(sentence: str, pool: list[str], rng: random.Random) -> str | None:
    """A name in the sentence replaced by a name from elsewhere (another talk)."""
    present = names(sentence)
    mine = sorted(n for n in present if not _CALENDAR.fullmatch(n))
    if not mine:
        return None
    others = [p for p in pool if p.lower() not in present]
    if not others:
        return None
    old = rng.choice(mine)
    match = re.search(rf"\b{re.escape(old)}\b", sentence, re.IGNORECASE)
    if match is None:
        return None
    return sentence[: match.start()] + rng.choice(others) + sentence[match.end() :]


def negate(sentence: str) -> str | None:
    """A negation removed, or else one added after the first auxiliary verb."""
    if match := _NEGATED.search(sentence):
        stem = match[1]
        undone = _UNDO.get(stem.lower(), stem) if stem else ""
        return sentence[: match.start()] + undone + sentence[match.end() :]
    if match := _AUX.search(sentence):
        return sentence[: match.end()] + " not" + sentence[match.end() :]
    return None


def add_unsupported(sentence: str, other: str) -> str:
    """The sentence with a clause from another talk joined on: a claim the evidence lacks."""
    tail = " ".join(other.rstrip(".!?").split()[:12])
    return f"{sentence.rstrip('.!?')}, and {tail[:1].lower()}{tail[1:]}."
