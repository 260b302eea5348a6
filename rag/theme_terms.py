"""What names a theme: its most distinctive BM25 terms (the twin's own matrix), shown as the
words people said, or the schedule's track most of its talks were in."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from talkrag.rag.lexical import LexicalIndex

TERMS = 8  # terms kept per theme
MIN_TALKS = 2  # a term said in fewer of the theme's talks is one talk's word, not the theme's
NAME_TERMS = 3
# Spoken filler that BM25's English stopwords keep: in every cluster, the name of none.
SPOKEN = frozenset(
    (
        "yeah um uh like know think really actually just gonna kind sort okay ok right thing "
        "things lot going get got want way mean say said stuff pretty basically maybe well "
        "yes good great cool awesome little bit much many also even still one two people "
        "something everything anything time today talk talking now see look"
    ).split()
)
# Schedule tracks that name a room or a day, not a subject: never a theme's name.
PLACE = re.compile(
    r"^(track \w+|expo stage.*|workshops? day.*|main stage|startup battlefield)$", re.I
)
TRACK_SHARE = 0.34  # a theme's track: the one at least this share of its scheduled talks
TRACK_MIN = 3  # ... and at least this many, were in
NAMED_BY_TRACK = 0.25  # it names the theme when this share of all the theme's talks were in it
_WORD = re.compile(r"[a-z][a-z0-9'-]*[a-z0-9]|[a-z]")
_CASED = re.compile(r"[A-Za-z][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]")


def _term_rows(bm25: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The matrix as (term, document, weight) triples."""
    scores = bm25.scores
    indptr = np.asarray(scores["indptr"])
    terms = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    return terms, np.asarray(scores["indices"]), np.asarray(scores["data"], dtype=np.float64)


def distinctive(
    lexical: LexicalIndex,
    rows: np.ndarray,
    labels: np.ndarray,
    talks: Sequence[str],
    k: int,
    names: Sequence[str] = (),
) -> list[list[str]]:
    """Each theme's top stems by BM25 weight there times the share of the term's weight that
    falls there (c-TF-IDF), among terms said in at least MIN_TALKS of its talks; spoken filler
    and the words of people's names (turn labels) left out."""
    bm25 = lexical.bm25
    if bm25 is None or not getattr(bm25, "vocab_dict", None):
        return [[] for _ in range(k)]
    themed = labels >= 0  # rows set aside (-1) name no theme
    rows, labels = rows[themed], labels[themed]
    talks = [t for t, inside in zip(talks, themed, strict=True) if inside]
    label_of = np.full(int(bm25.scores["num_docs"]), -1)
    label_of[rows] = labels
    talk_code = np.full(len(label_of), -1)
    talk_code[rows] = np.unique(np.asarray(talks), return_inverse=True)[1]
    terms, docs, weights = _term_rows(bm25)
    inside = label_of[docs] >= 0
    terms, docs, weights = terms[inside], docs[inside], weights[inside]
    themes = label_of[docs]
    vocab_size = len(bm25.scores["indptr"]) - 1
    cell = terms.astype(np.int64) * k + themes
    mass = np.bincount(cell, weights=weights, minlength=vocab_size * k).reshape(vocab_size, k)
    n_talks = int(talk_code.max()) + 1
    seen = np.unique(cell * n_talks + talk_code[docs]) // n_talks  # one per (term, theme, talk)
    spread = np.bincount(seen, minlength=vocab_size * k).reshape(vocab_size, k)
    sizes = np.maximum(np.bincount(labels, minlength=k), 1)
    score = (mass / sizes) * (mass / np.maximum(mass.sum(axis=1, keepdims=True), 1e-9))
    talks_in = np.bincount(
        np.unique(labels.astype(np.int64) * n_talks + talk_code[rows]) // n_talks, minlength=k
    )
    score[spread < np.minimum(MIN_TALKS, np.maximum(talks_in, 1))] = 0
    words = {i: w for w, i in bm25.vocab_dict.items()}
    left_out = SPOKEN | stems_of(" ".join([*SPOKEN, *names]), lexical.stemmer)
    out = []
    for c in range(k):
        ranked = [int(t) for t in np.argsort(-score[:, c], kind="stable") if score[t, c] > 0]
        kept = [words[t] for t in ranked[: TERMS * 4] if words.get(t) not in left_out]
        out.append([w for w in kept if w][:TERMS])
    return out


def stems_of(text: str, stemmer: Any) -> set[str]:
    """The text's words as BM25 stems them."""
    words = _WORD.findall(text.lower())
    return set(stemmer.stemWords(words) if stemmer is not None else words)


def surface_forms(texts: Sequence[str], stems: set[str], stemmer: Any) -> dict[str, str]:
    """Each stem as the word the transcripts say most often for it, in its most common case
    ("evalu" -> "evals", "mcp" -> "MCP")."""
    counts = Counter(w for text in texts for w in _CASED.findall(text))
    words = list(counts)
    lowered = [w.lower() for w in words]
    stemmed = stemmer.stemWords(lowered) if stemmer is not None else lowered
    best: dict[str, tuple[int, str]] = {}
    for word, stem in zip(words, stemmed, strict=True):
        if stem in stems and len(word) > 1 and (counts[word], word) > best.get(stem, (0, "")):
            best[stem] = (counts[word], word)
    return {stem: best[stem][1] if stem in best else stem for stem in stems}


def theme_track(tracks: Sequence[str | None], taken: set[str]) -> str | None:
    """The track a theme's scheduled talks were mostly in (a subject, not a room), unless an
    earlier theme has it."""
    subjects = Counter(t for t in tracks if t and not PLACE.match(t))
    if not subjects:
        return None
    track, count = min(subjects.items(), key=lambda kv: (-kv[1], kv[0]))
    share = count / sum(subjects.values())
    if count >= TRACK_MIN and share >= TRACK_SHARE and track not in taken:
        return track
    return None


def theme_name(track: str | None, tracks: Sequence[str | None], words: Sequence[str]) -> str:
    """The track's name where a quarter of the theme's talks were in it, else its terms'."""
    if track and sum(t == track for t in tracks) >= NAMED_BY_TRACK * len(tracks):
        return track
    return terms_name(words)


def distinct_words(words: Sequence[str]) -> list[str]:
    """The words less those that repeat an earlier one but for case or a plural s."""
    seen: set[str] = set()
    out = []
    for word in words:
        key = word.lower().removesuffix("s")
        if key not in seen:
            seen.add(key)
            out.append(word)
    return out


def terms_name(words: Sequence[str]) -> str:
    """A theme's name from its first terms: "Agents, tools and MCP"."""
    first = list(words[:NAME_TERMS])
    if not first:
        return "Other talks"
    head = ", ".join(first[:-1]) + (" and " if len(first) > 1 else "") + first[-1]
    return head[0].upper() + head[1:] if head[:1].islower() else head
