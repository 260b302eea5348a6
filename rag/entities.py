"""Who a question names: the index's speakers and companies, linked
to the question's words (a surname alone, a first name with a company, a possessive, any case,
one typo).

Captions never say a speaker's name; titles, front matter and the schedule do. So names are
looked up here, from the talks' metadata, and never treated as words a transcript must contain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r"[A-Za-z0-9À-ɏ]+(?:['’][A-Za-z]+)?")
_POSSESSIVE = re.compile(r"['’]s?$", re.IGNORECASE)
_TITLE_PEOPLE = re.compile(r"\s[—–-]\s(?P<people>[^—–]+)$")  # "Talk — Ann Lee + Bo Wu, Acme"
_JOIN = re.compile(r"\s*(?:\+|&|,|\band\b)\s*")
MIN_NAME = 3  # a shorter token ("AI", "Li") never names anyone alone
MIN_TYPO = 5  # names this long match a word with one typo ...
LONG_TYPO = 8  # ... written with a capital, or this long
# Words a question uses around names; never a name on their own.
_NOT_NAMES = frozenset(
    "the a an and or of in on at for to from with by what how why who did does do say said "
    "talk talks think thinks about is are was were his her their they ai".split()
)


def fold(text: str) -> str:
    """Lowercase ASCII, accents dropped: how names are compared."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def tokens(text: str) -> list[str]:
    """A text's words, folded, possessives cut ("Nubank's" -> "nubank")."""
    return [t for t in (fold(_POSSESSIVE.sub("", m)) for m in _TOKEN.findall(text)) if t]


def _one_edit(a: str, b: str) -> bool:
    """Whether b is within one insertion, deletion, substitution or swap of a."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]
        return a[i + 1 :] == b[i + 1 :] or swapped
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


def _same(word: str, name: str) -> bool:
    return word == name or (len(name) >= MIN_TYPO and _one_edit(word, name))


@dataclass(frozen=True, slots=True)
class Entity:
    """One name the index knows: a speaker or company, and the talks it names."""

    kind: str
    name: str
    parts: tuple[str, ...]
    talks: frozenset[str]


@dataclass(frozen=True, slots=True)
class Understood:
    """What a question was recognised to name, and the question without those names."""

    content: str
    speakers: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    talks: tuple[str, ...] = ()

    def wire(self) -> dict[str, list[str]]:
        """What `search --json`, `ask --json` and the API report as `understood`."""
        return {
            "speakers": list(self.speakers),
            "companies": list(self.companies),
            "talks": list(self.talks),
        }


def _title_people(title: str) -> tuple[list[str], list[str]]:
    """Speakers and company from a `Talk — Ann Lee + Bo Wu, Acme` title."""
    found = _TITLE_PEOPLE.search(title or "")
    if not found:
        return [], []
    people, _, company = found["people"].rpartition(",")
    names = [n for n in _JOIN.split(people or company) if len(n.split()) >= 2]  # noqa: PLR2004
    return names, [company.strip()] if people and company.strip() else []


def talk_names(metas: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Per talk id: its speakers and companies, from chunk metadata and title."""
    talks: dict[str, dict[str, list[str]]] = {}
    for meta in metas:
        if meta["talk_id"] in talks:
            continue
        people, firms = _title_people(str(meta.get("title") or ""))
        talks[meta["talk_id"]] = {
            "speaker": list(meta.get("talk_speakers") or []) or people,
            "company": list(meta.get("companies") or []) or firms,
        }
    return talks


@dataclass
class Entities:
    """Every name in the index, and how to find them in a question."""

    entities: list[Entity]
    common: Callable[[str], bool] = field(default=lambda _word: False)
    _parts: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        self._parts = {p for e in self.entities for p in e.parts}

    @classmethod
    def of(cls, metas: Iterable[Mapping[str, Any]], common: Callable[[str], bool]) -> Entities:
        """The entity table of an index's chunk metadata; common(word) says a name is a word."""
        by_name: dict[tuple[str, str], set[str]] = {}
        for talk_id, names in talk_names(metas).items():
            for kind, values in names.items():
                for value in values:
                    if tokens(value):
                        by_name.setdefault((kind, value.strip()), set()).add(talk_id)
        table = [
            Entity(kind, name, tuple(tokens(name)), frozenset(talks))
            for (kind, name), talks in sorted(by_name.items())
        ]
        return cls(table, common)

    def link(self, question: str) -> Understood:
        """The entities a question names, their talks, and the question without the names."""
        words = tokens(question)
        q = _Question(words, _capitalised(question), present=set(words))
        firms = [e for e in self._of("company") if self._word_name(e, q)]
        q.firm_talks = set().union(*(e.talks for e in firms))
        people = [e for e in self._of("speaker") if self._person(e, q)]
        if not people:  # only then may a word be a misspelt name
            q.typos = self._typo_positions(q)
            people = [e for e in self._of("speaker") if self._person(e, q)]
        self._misspelt(people, q)
        talks: set[str] = set().union(*(e.talks for e in (*people, *firms)))
        return Understood(
            content=_without(question, {q.words[i] for i in q.used}) if q.used else question,
            speakers=tuple(e.name for e in people),
            companies=tuple(e.name for e in firms),
            talks=tuple(sorted(talks)),
        )

    def _of(self, kind: str) -> list[Entity]:
        return [e for e in self.entities if e.kind == kind]

    def _word_name(self, e: Entity, q: _Question) -> bool:
        """A name as a run of the question's words; a one-word name only where it reads as one."""
        if not e.parts or (len(e.parts) == 1 and len(e.parts[0]) < MIN_NAME):
            return False
        found = _run(e.parts, q.words, set()) if set(e.parts) <= q.present else None
        if found is None:
            return False
        if len(e.parts) == 1 and (e.parts[0] in _NOT_NAMES or not self._as_name(e, q.capital)):
            return False
        q.used.update(found)
        return True

    def _person(self, e: Entity, q: _Question) -> bool:
        """Full name; surname alone (if no common word, or capitalised); first name + company."""
        if len(e.parts) < 2:  # noqa: PLR2004  (a one-word name is matched as a name only)
            return not q.typos and self._word_name(e, q)
        maybe = set(e.parts) <= q.present or any(  # every part as written, or a misspelling
            p in q.present or any(_same(q.words[i], p) for i in q.typos) for p in e.parts
        )
        found = _run(e.parts, q.words, q.typos) if maybe else None
        if found is None:
            found = self._surname(e, q)
        if found is None and e.talks & q.firm_talks:
            found = [i for i, w in enumerate(q.words) if w == e.parts[0]] or None
        if not found:
            return False
        q.used.update(found)
        return True

    def _surname(self, e: Entity, q: _Question) -> list[int] | None:
        surname = e.parts[-1]
        if len(surname) < MIN_NAME or surname in _NOT_NAMES:
            return None
        if not q.typos and surname not in q.present:
            return None
        hits = [
            i for i, w in enumerate(q.words) if w == surname or (i in q.typos and _same(w, surname))
        ]
        return hits if hits and not self._plain(surname, q.capital) else None

    def _misspelt(self, people: Sequence[Entity], q: _Question) -> None:
        """Mark as names the misspelt parts of names already linked ("Natalie Meuer", linked
        by her first name and company), so they are no content words either."""
        loose = self._typo_positions(q)
        for e in people:
            q.used.update(i for i in loose for p in e.parts if _same(q.words[i], p))

    def _typo_positions(self, q: _Question) -> set[int]:
        """Words that may be a misspelt name: no name as written, and capitalised or long
        (so "Jason" is never read as "Mason")."""
        return {
            i
            for i, w in enumerate(q.words)
            if w not in self._parts
            and w not in _NOT_NAMES
            and (w in q.capital or len(w) >= LONG_TYPO)
        }

    def _plain(self, word: str, capital: set[str]) -> bool:
        """A name that is also an everyday word, written without a capital."""
        return word not in capital and self.common(word)

    def _as_name(self, e: Entity, capital: set[str]) -> bool:
        """Whether a one-word name reads as a name: written with a capital, or a coined word
        ("OpenAI", "LanceDB", "T3") that no sentence uses otherwise."""
        word = e.parts[0]
        coined = any(c.isdigit() for c in e.name) or any(c.isupper() for c in e.name[1:])
        return word in capital or (coined and not self.common(word))


@dataclass
class _Question:
    """A question's words while names are looked up in it."""

    words: list[str]
    capital: set[str]
    used: set[int] = field(default_factory=set)
    present: set[str] = field(default_factory=set)  # the words, for a quick first look
    typos: set[int] = field(default_factory=set)
    firm_talks: set[str] = field(default_factory=set)


def _run(parts: Sequence[str], words: Sequence[str], typos: set[int]) -> list[int] | None:
    """Positions where parts occur as consecutive words (misspelt only at typos positions)."""
    n = len(parts)
    for i in range(len(words) - n + 1):
        window = words[i : i + n]
        if all(
            w == p or (i + j in typos and _same(w, p))
            for j, (w, p) in enumerate(zip(window, parts, strict=True))
        ):
            return list(range(i, i + n))
    return None


def _capitalised(question: str) -> set[str]:
    """Folded words written with a capital, past the first word (names, not sentence starts)."""
    found = _TOKEN.findall(question)
    return {fold(_POSSESSIVE.sub("", w)) for w in found[1:] if w[:1].isupper()}


def _without(question: str, names: set[str]) -> str:
    """The question with the words that named entities taken out (possessives with them)."""
    kept = _TOKEN.sub(lambda m: "" if fold(_POSSESSIVE.sub("", m[0])) in names else m[0], question)
    return re.sub(r"\s{2,}", " ", kept).strip()
