"""Segments -> Chunks that follow sentence and speaker-turn boundaries, under the model's limit."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from talkrag.ingest.models import Chunk, Segment
from talkrag.ingest.moments import Timing, place

# Bumped whenever chunk boundaries or text rendering change: it is part of the index fingerprint.
CHUNKER_VERSION = "1"
SPECIAL_TOKENS = 2  # [CLS] and [SEP] count against the model's limit too

_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+(?=[\"'“‘(\[]?[A-Z0-9])")


class Encoding(Protocol):
    """What chunking needs of a tokenizer's encoding: token offsets into the text."""

    @property
    def offsets(self) -> list[tuple[int, int]]: ...


class Tokenizer(Protocol):
    """The embedding model's own tokenizer (a `tokenizers.Tokenizer`)."""

    def encode_batch(self, input: list[str], add_special_tokens: bool = ...) -> list[Encoding]: ...


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    speaker: str | None
    start: float | None
    end: float | None
    n_tokens: int
    stamped: bool = False  # the first of a segment that starts at a new time: a stamp
    estimated: bool = False  # its times are estimated from word position


def split_sentences(text: str) -> list[str]:
    """Split text at sentence ends; text without punctuation stays whole."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def chunk_id(talk_id: str, position: int, text: str) -> str:
    """A stable id: the same talk, position and text always give the same id."""
    digest = hashlib.sha256(f"{talk_id}\x1f{position}\x1f{text}".encode()).hexdigest()
    return digest[:24]


def _word_pieces(text: str, enc: Encoding, max_piece: int) -> list[tuple[str, int]]:
    """Cut an over-long sentence at word boundaries into pieces of at most max_piece tokens."""
    pieces: list[tuple[str, int]] = []
    offsets = enc.offsets
    begin_tok = 0
    while begin_tok < len(offsets):
        end_tok = min(begin_tok + max_piece, len(offsets))
        # Back off to a token that starts a word, so no word is cut in two.
        cut = end_tok
        while end_tok < len(offsets) and cut > begin_tok + 1:
            start_char = offsets[cut][0]
            if start_char > 0 and text[start_char - 1].isspace():
                break
            cut -= 1
        if end_tok < len(offsets) and cut == begin_tok + 1:
            cut = end_tok  # one giant "word": cut inside it rather than loop forever
        char_from = offsets[begin_tok][0]
        char_to = offsets[cut][0] if cut < len(offsets) else len(text)
        piece = text[char_from:char_to].strip()
        if piece:
            pieces.append((piece, cut - begin_tok))
        begin_tok = cut
    return pieces


def _units(segments: Sequence[Segment], tokenizer: Tokenizer, budget: int) -> list[_Unit]:
    """Sentences of every segment with their token counts; long ones cut at word boundaries."""
    raw = [(seg, sent) for seg in segments for sent in split_sentences(seg.text)]
    encodings = tokenizer.encode_batch([sent for _, sent in raw], add_special_tokens=False)
    long_limit, piece_size = budget // 2, max(budget // 4, 8)
    units: list[_Unit] = []
    previous: Segment | None = None
    for (seg, sent), enc in zip(raw, encodings, strict=True):
        n = len(enc.offsets)
        pieces = [(sent, n)] if n <= long_limit else _word_pieces(sent, enc, piece_size)
        stamped = seg is not previous and seg.start is not None
        stamped = stamped and (previous is None or previous.start != seg.start)
        for i, (text, k) in enumerate(pieces):
            units.append(_Unit(text, seg.speaker, seg.start, seg.end, k, stamped and i == 0))
        previous = seg
    return units


def _placed(units: list[_Unit], timing: Timing) -> list[_Unit]:
    """Prose: each unit's moment by its word position between the stamps and the video's end."""
    spans = [(len(u.text.split()), u.start if u.stamped else None) for u in units]
    return [
        replace(u, start=m.start, end=m.end, estimated=m.estimated)
        for u, m in zip(units, place(spans, timing), strict=True)
    ]


class _LabelCost:
    """Tokens a `Name:` label costs, counted once per speaker."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer
        self._cache: dict[str, int] = {}

    def __call__(self, speaker: str | None) -> int:
        if speaker is None:
            return 0
        if speaker not in self._cache:
            enc = self._tokenizer.encode_batch([f"{speaker}:"], add_special_tokens=False)[0]
            self._cache[speaker] = len(enc.offsets)
        return self._cache[speaker]


def _cost(units: Sequence[_Unit], label: _LabelCost) -> int:
    """Tokens of units rendered together, labels included."""
    total, previous = 0, None
    for i, unit in enumerate(units):
        if unit.speaker and (i == 0 or unit.speaker != previous):
            total += label(unit.speaker)
        total += unit.n_tokens
        previous = unit.speaker
    return total


def _marks(units: Sequence[_Unit]) -> tuple[tuple[int, float], ...]:
    """Each timed unit's offset in the rendered text (as render() lays it out) and its start."""
    marks: list[tuple[int, float]] = []
    at, previous = 0, None
    for i, unit in enumerate(units):
        gap = 0 if i == 0 else 1  # the space or newline before it
        label = (
            len(f"{unit.speaker}: ") if unit.speaker and (i == 0 or unit.speaker != previous) else 0
        )
        at += gap + label
        if unit.start is not None and (not marks or marks[-1][1] != unit.start):
            marks.append((at, float(unit.start)))
        at += len(unit.text)
        previous = unit.speaker
    return tuple(marks)


def render(units: Sequence[_Unit]) -> str:
    """Chunk text: sentences joined, a `Name:` label wherever the speaker changes."""
    parts: list[str] = []
    previous: str | None = None
    for i, unit in enumerate(units):
        if unit.speaker and (i == 0 or unit.speaker != previous):
            parts.append(("\n" if parts else "") + f"{unit.speaker}: {unit.text}")
        else:
            parts.append((" " if parts else "") + unit.text)
        previous = unit.speaker
    return "".join(parts)


def _overlap_tail(units: list[_Unit], overlap: int, label: _LabelCost) -> list[_Unit]:
    """The last sentences of a chunk that fit in the overlap budget."""
    tail: list[_Unit] = []
    for unit in reversed(units):
        if _cost([unit, *tail], label) > overlap:
            break
        tail.insert(0, unit)
    return tail if len(tail) < len(units) else []


def _pack(units: list[_Unit], budget: int, overlap: int, label: _LabelCost) -> list[list[_Unit]]:
    """Greedy packing of sentences into groups under the budget, with a little overlap."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    for unit in units:
        if current and _cost([*current, unit], label) > budget:
            groups.append(current)
            tail = _overlap_tail(current, overlap, label)
            current = tail if _cost([*tail, unit], label) <= budget else []
        current.append(unit)
    if current:
        groups.append(current)
    return groups


def chunk_segments(
    talk_id: str,
    segments: Sequence[Segment],
    tokenizer: Tokenizer,
    max_tokens: int,
    overlap_tokens: int,
    timing: Timing | None = None,
) -> list[Chunk]:
    """Cut a talk's segments into chunks of at most max_tokens word pieces, specials included.

    timing: for prose, each sentence's moment is estimated between its stamps (see moments).
    """
    budget = max_tokens - SPECIAL_TOKENS
    label = _LabelCost(tokenizer)
    units = _units(segments, tokenizer, budget)
    if timing is not None and timing.prose:
        units = _placed(units, timing)
    chunks: list[Chunk] = []
    for position, group in enumerate(_pack(units, budget, overlap_tokens, label)):
        text = render(group)
        starts = [u.start for u in group if u.start is not None]
        ends = [u.end if u.end is not None else u.start for u in group]
        known_ends = [e for e in ends if e is not None]
        speakers = tuple(dict.fromkeys(u.speaker for u in group if u.speaker))
        chunks.append(
            Chunk(
                id=chunk_id(talk_id, position, text),
                talk_id=talk_id,
                position=position,
                text=text,
                speakers=speakers,
                start=min(starts) if starts else None,
                end=max(known_ends) if known_ends else None,
                n_tokens=_cost(group, label) + SPECIAL_TOKENS,
                marks=_marks(group),
                time_estimated=any(u.estimated for u in group),
            )
        )
    return chunks
