"""Who is speaking: turn labels (`Name: text`), bylines in titles, speakers given to segments."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from talkrag.ingest.models import Segment
from talkrag.ingest.parsers.build import Piece

NAME_CHARS = r"[^\W\d_][\w.'’ -]{0,40}?"
# `Name: text` at the start of a piece of text (the label may stand alone).
LABEL = re.compile(rf"\s*(?P<name>{NAME_CHARS})\s?:(?:\s+|$)")
# Label candidates anywhere a turn can begin: a line start or after a `>>` speaker change.
_CANDIDATE = re.compile(
    rf"(?m)(?:^|>>)[ \t]*(?:\*\*)?(?P<name>{NAME_CHARS})(?:\*\*)?[ \t]?:(?:\*\*)?(?:[ \t]|$)"
)
CHANGE = re.compile(r"(?:^|(?<=\s))>>(?=\s|$)")  # `>>`: the speaker changes here
PARTICLES = frozenset(
    {"al", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "dos", "du", "el", "la",
     "le", "ten", "ter", "van", "von", "y"}
)  # fmt: skip
# Words that end in a colon at a line start without naming anyone.
NOT_NAMES = frozenset(
    {"abstract", "agenda", "answer", "answers", "background", "bip", "caveat", "comment",
     "comments", "conclusion", "context", "date", "definition", "disclaimer", "edit", "edited",
     "example", "examples", "goal", "goals", "github", "idea", "ideas", "important", "issue",
     "issues", "link", "links", "location", "media", "motivation", "note", "notes", "paper",
     "papers", "policy", "pr", "problem", "proposal", "question", "questions", "rationale",
     "reference", "references", "release", "repo", "result", "results", "rules", "see", "slide",
     "slides", "source", "sources", "status", "step", "summary", "tags", "terminology", "title",
     "tldr", "todo", "topic", "topics", "transcript", "transcripts", "tweet", "twitter", "update",
     "url", "video", "website", "why", "what", "how", "when", "where", "who", "yes", "no", "so",
     "and", "but", "or", "well", "ok", "okay", "also", "then", "now", "here", "there", "this",
     "that", "first", "second", "third", "finally", "warning", "wip", "wishlist"}
)  # fmt: skip
NOT_PEOPLE = frozenset(
    {"agent", "agentic", "ceo", "cto", "editor", "engineer", "engineering", "founder", "keynote",
     "keynotes", "lab", "labs", "panel", "research", "team", "video", "workshop"}
)  # fmt: skip
MIN_REPEATS = 2
MIN_PERSON_WORDS = 2
MAX_INITIALS = 2
MIN_LABEL = 2
MIN_LISTED = 3  # `Al Ng, Bo Wu, Acme`: names listed before a company


def looks_like_name(name: str) -> bool:
    """A short label of 1-5 capitalised words (particles like `van` allowed), not a common word."""
    words = name.split()
    if not 1 <= len(words) <= 5 or name.strip().lower() in NOT_NAMES:  # noqa: PLR2004
        return False
    if not words[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w in PARTICLES for w in words)


def _looks_like_person(part: str) -> bool:
    """A full name in a byline: two or more name words, no acronym or job word."""
    words = part.split()
    if len(words) < MIN_PERSON_WORDS or not looks_like_name(part):
        return False
    shouting = any(w.isupper() and len(w) > MAX_INITIALS for w in words)
    return not shouting and not any(w.lower() in NOT_PEOPLE for w in words)


def byline_names(byline: str) -> tuple[str, ...]:
    """People in a byline like `Ana Li & Bo Wu, Acme` or `Al Ng, Bo Wu, Cy Po, @acme`."""
    byline = re.sub(r"\([^()]*\)", " ", byline)
    byline = re.split(r"\s+aka\s+", byline, maxsplit=1)[0]
    groups = re.split(r"\s+(?:&|and|\+|ft\.?|feat\.?|with)\s+", byline.strip())
    parts_of = [[p.strip() for p in g.split(",") if p.strip()] for g in groups]
    parts_of = [parts for parts in parts_of if parts]
    if len(parts_of) == 1 and len(parts_of[0]) >= MIN_LISTED:
        listed = parts_of[0][:-1]  # a list of names, then the company
        if all(_looks_like_person(p) for p in listed):
            return tuple(listed)
    return tuple(parts[0] for parts in parts_of if _looks_like_person(parts[0]))


def match_known(label: str, known: Sequence[str]) -> str | None:
    """The known speaker a label stands for: same name, first name, initials or last name."""
    wanted = label.strip().casefold()
    if len(wanted) < MIN_LABEL:  # `Q` and `A` are roles, never someone's initials
        return None
    keys = (
        lambda k: k.casefold(),
        lambda k: k.split()[0].casefold(),
        lambda k: "".join(w[0] for w in k.split()).casefold() if " " in k else "",
        lambda k: k.split()[-1].casefold(),
    )
    names = [k for k in known if k.split()]
    for key in keys:
        found = [k for k in names if key(k) == wanted]
        if len(found) == 1:
            return found[0]
    return None


def label_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each `Name:` label candidate opens a line or follows `>>` in the texts."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(m.group("name").strip() for m in _CANDIDATE.finditer(text))
    return counts


def accepted_labels(counts: Counter[str], known: Sequence[str]) -> frozenset[str]:
    """Labels trusted as speakers: name-like, and repeated or naming a known speaker."""
    return frozenset(
        name
        for name, seen in counts.items()
        if looks_like_name(name) and (seen >= MIN_REPEATS or match_known(name, known))
    )


def split_label(text: str, accepted: frozenset[str]) -> tuple[str | None, str]:
    """(`Name`, rest) when `text` opens with an accepted `Name:` label, else (None, text)."""
    match = LABEL.match(text)
    if match is None or match.group("name").strip() not in accepted:
        return None, text
    return match.group("name").strip(), text[match.end() :]


def split_changes(pieces: Iterable[Piece]) -> list[Piece]:
    """Pieces cut at each `>>` marker; the text after one is flagged as a speaker change."""
    cut: list[Piece] = []
    for piece in pieces:
        for index, part in enumerate(CHANGE.split(piece.text)):
            first = index == 0
            speaker, change = (piece.speaker, piece.change) if first else (None, True)
            cut.append(Piece(part, piece.start, piece.end, speaker, change))
    return cut


def attribute(
    pieces: Iterable[Piece], accepted: frozenset[str], known: Sequence[str]
) -> list[Segment]:
    """Segments with the speaker of each turn carried forward until the next label or `>>`."""
    current: str | None = None
    segments: list[Segment] = []
    for piece in pieces:
        if piece.speaker:
            current = match_known(piece.speaker, known) or piece.speaker
        elif piece.change:
            current = None
        name, text = split_label(piece.text, accepted)
        if name:
            current = match_known(name, known) or name
        segments.append(Segment(text=text, speaker=current, start=piece.start, end=piece.end))
    return segments
