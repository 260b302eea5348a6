"""Rolling captions flattened into prose: each caption line said two or three times, once kept."""

from __future__ import annotations

import re

# Some YouTube transcripts repeat every caption line as it scrolls: "My name is Nuno and I My
# name is Nuno and I My name is Nuno and I wanted to...". Three times over three or more words,
# or twice over six or more, is the caption roll, not speech (a speaker's own repeats are
# shorter: "no, no, no", "I think, I think").
_THRICE = re.compile(r"(?<!\S)((?:\S+\s+){3,30}?)\1\1(?=\S|$)")
_TWICE = re.compile(r"(?<!\S)((?:\S+\s+){6,30}?)\1(?=\S|$)")


def unroll(text: str) -> str:
    """The text with rolled caption lines said once; other text unchanged."""
    spaced = text + " "  # every word then ends in whitespace, the last included
    return _TWICE.sub(r"\1", _THRICE.sub(r"\1", spaced))[:-1]
