"""Follow-up questions condensed into one standalone question, from the conversation so far."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that point back into the conversation: "what else did she say about it?"
_REFERS_BACK = re.compile(
    r"\b(it|its|they|them|their|he|she|him|her|his|this|that|these|those|there|"
    r"else|more|also|same|why|how so|and)\b",
    re.IGNORECASE,
)
SHORT = 6  # words; a follow-up this short leans on what came before


def standalone(question: str, asked: Sequence[str]) -> str:
    """The question to retrieve with, folding every earlier question in turn."""
    topic = ""
    for earlier in asked:
        topic = condense(earlier, [topic] if topic else [])
    return condense(question, [topic] if topic else [])


def condense(question: str, previous_questions: Sequence[str]) -> str:
    """The question to retrieve with: the follow-up, plus the last question when it refers back."""
    if not previous_questions:
        return question
    leans_back = len(question.split()) <= SHORT or _REFERS_BACK.search(question)
    return f"{previous_questions[-1]} {question}" if leans_back else question
