"""Every sentence of an answer checked against the passages it cites: kept, re-cited or dropped.

This runs after synthesis in both modes. A sentence its cited passages support is kept as it
is; one they don't support is cited instead to another given passage that does, or dropped.
An answer left with no supported sentence, or one that says nothing (only markers, the
prompt's markup, the question restated, or the passages pasted back), becomes a refusal with a
notice saying why.
Extractive sentences are verbatim quotes, which the verifier accepts without embedding anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from talkrag.rag.cite import UNCITED, hollow
from talkrag.rag.claims import Claim, split_claims
from talkrag.rag.extractive import refusal
from talkrag.rag.models import Answer, Citation, Hit, Verified
from talkrag.rag.verify import Verdict, Verifier, unsupported

UNSUPPORTED = "no sentence of the answer is supported by the passages it cites"
COPIED = "the model's answer only copied its sources"
COPIED_AT_LEAST = 3  # verbatim sentences, half the answer or more: a copy, not an answer


@dataclass
class _Kept:
    """The sentences kept so far, each with the citations it now carries."""

    claims: list[tuple[Claim, list[Citation], Verdict]] = field(default_factory=list)
    recited: int = 0
    dropped: int = 0


def _verdict(verifier: Verifier, claim: str, cited: Sequence[Citation]) -> Verdict:
    if not cited:
        return unsupported("cites no given source")
    return verifier.verify(claim, [c.text for c in cited])


def _recite(
    verifier: Verifier, claim: str, hits: Sequence[Hit], cited: Sequence[Citation]
) -> tuple[Hit, Verdict] | None:
    """The given passage (not already cited) that best supports the claim, if one does."""
    taken = {c.chunk_id for c in cited}
    found = [(hit, verifier.verify(claim, [hit.text])) for hit in hits if hit.chunk_id not in taken]
    supported = [(hit, v) for hit, v in found if v.supported]
    return max(supported, key=lambda pair: pair[1].score) if supported else None


def _check(result: Answer, hits: Sequence[Hit], verifier: Verifier) -> _Kept:
    """Each claim kept with its citations, re-cited to a passage that supports it, or dropped."""
    by_n = {c.n: c for c in result.citations}
    kept = _Kept()
    for claim in split_claims(result.answer):
        cited = [by_n[n] for n in claim.citations if n in by_n]
        verdict = _verdict(verifier, claim.text, cited)
        if verdict.supported:
            kept.claims.append((claim, cited, verdict))
        elif found := _recite(verifier, claim.text, hits, cited):
            hit, verdict = found
            known = next((c for c in result.citations if c.chunk_id == hit.chunk_id), None)
            kept.claims.append((claim, [known or Citation.from_hit(0, hit)], verdict))
            kept.recited += 1
        else:
            kept.dropped += 1
    return kept


def _copied(kept: _Kept) -> bool:
    """Whether an LLM's answer is mostly the passages pasted back (a base model's habit):
    COPIED_AT_LEAST verbatim sentences, and at least half of those kept."""
    verbatim = sum(verdict.score >= 1.0 for _, _, verdict in kept.claims)
    return verbatim >= COPIED_AT_LEAST and 2 * verbatim >= len(kept.claims)


def _sentence(text: str, numbers: Sequence[int], mode: str) -> str:
    """A claim written back with its citations: after its period as extractive answers quote,
    before it as LLMs write."""
    marks = "".join(f"[{n}]" for n in numbers)
    if mode == "extractive":
        return f"{text} {marks}"
    body = text.rstrip(".!?")
    return f"{body} {marks}{text[len(body) :] or '.'}"


def _rebuilt(kept: _Kept, mode: str) -> tuple[str, list[Citation], list[Verified]]:
    """The kept claims as one text, citations numbered in order of first use."""
    order: dict[int, Citation] = {}  # id of the original citation -> it, in first-use order
    for _, cited, _ in kept.claims:
        for c in cited:
            order.setdefault(id(c), c)
    number = {key: n for n, key in enumerate(order, start=1)}
    citations = [c.model_copy(update={"n": number[key]}) for key, c in order.items()]
    texts, verdicts = [], []
    for claim, cited, verdict in kept.claims:
        numbers = [number[id(c)] for c in cited]
        texts.append(_sentence(claim.text, numbers, mode))
        verdicts.append(_verified(claim, numbers, verdict))
    return " ".join(texts), citations, verdicts


def _verified(claim: Claim, numbers: list[int], verdict: Verdict) -> Verified:
    return Verified(
        text=claim.text,
        citations=numbers,
        supported=verdict.supported,
        score=round(verdict.score, 4),
    )


def _notice(result: Answer, kept: _Kept) -> str | None:
    """The synthesis's notice (less its uncited marks, now resolved) and what verification did."""
    notes = [n for n in (result.notice or "").split("; ") if n and UNCITED not in n]
    if kept.recited:
        notes.append(f"{kept.recited} sentence(s) cited again, to the passage that supports them")
    if kept.dropped:
        notes.append(f"{kept.dropped} sentence(s) dropped: no given passage supports them")
    return "; ".join(notes) or None


def verify_answer(result: Answer, hits: Sequence[Hit], verifier: Verifier, question: str) -> Answer:
    """The answer with every sentence verified: supported ones kept, others re-cited or dropped."""
    if result.refused:
        return result
    headers = [f"{h.title} {' '.join(h.speakers)}" for h in hits]
    if result.mode == "llm" and (why := hollow(result.answer, question, headers)):
        return refusal(result.mode, f"{why}, so it is not shown")
    kept = _check(result, hits, verifier)
    if not kept.claims:
        return refusal(result.mode, f"{UNSUPPORTED}, so it is not shown")
    if result.mode == "llm" and _copied(kept):
        return refusal(result.mode, f"{COPIED}, so it is not shown")
    if kept.recited or kept.dropped:
        text, citations, verdicts = _rebuilt(kept, result.mode)
        update = {"answer": text, "citations": citations, "notice": _notice(result, kept)}
        return result.model_copy(update=update | {"sentences": verdicts})
    verdicts = [_verified(claim, [c.n for c in cited], v) for claim, cited, v in kept.claims]
    return result.model_copy(update={"sentences": verdicts})
