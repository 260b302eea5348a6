"""One question's answer scored: retrieval ranks, claims with verdicts, citations, overlap.

The result is the per-question record of a run (plain JSON); `summary.py` aggregates records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from talkrag.evals.dataset import Question
from talkrag.evals.metrics import score_ranking
from talkrag.evals.retrieval import holds_passage, shingles, words
from talkrag.rag.claims import Claim, split_claims
from talkrag.rag.models import Answer, Hit
from talkrag.rag.verify import Verdict, Verifier, unsupported

_TOKEN = re.compile(r"[a-z0-9]+")
# An answer sentence quotes the gold passage when its words (citation markers stripped, lower
# case, punctuation and markup dropped) run unbroken inside a span's words, or the span's inside
# its own (a span cut inside a sentence), or when at least QUOTE_SHARE of its QUOTE_SHINGLE-word
# shingles are among the span's (a sentence that straddles the span's edge or a timestamp line).
# Sentences under QUOTE_MIN_WORDS words never count.
QUOTE_SHINGLE = 8
QUOTE_SHARE = 0.6
QUOTE_MIN_WORDS = 4


def retrieval_scores(question: Question, hits: Sequence[Hit], corpus: Path) -> dict[str, float]:
    """File-level metrics over the gold sources, and passage-level hit@5 and MRR@10."""
    files = [Path(h.source).name for h in hits]
    talks = [h.talk_id for h in hits]
    gold = set(question.sources)
    ranking = [f if f in gold else t for f, t in zip(files, talks, strict=True)]
    scores = score_ranking(ranking, gold)
    passages = [shingles(ev.text(corpus)) for ev in question.evidence]
    if passages:
        holding = {h.chunk_id for h in hits if any(holds_passage(h.text, p) for p in passages)}
        by_passage = score_ranking([h.chunk_id for h in hits], holding or {"-"})
        scores["passage_hit@5"] = by_passage["hit@5"]
        scores["passage_mrr@10"] = by_passage["mrr@10"]
    return scores


def _verdict(verifier: Verifier, claim: Claim, texts: dict[int, str]) -> Verdict:
    cited = [texts[n] for n in claim.citations if n in texts]
    if not cited:
        return unsupported("cites no source" if not claim.citations else "cites no given source")
    return verifier.verify(claim.text, cited)


def _precise(verifier: Verifier, claim: Claim, texts: dict[int, str], joint: Verdict) -> int:
    """ALCE citation precision: citations of a supported claim that are not irrelevant.

    A citation is irrelevant when it alone does not support the claim and the others do.
    """
    cited = [n for n in claim.citations if n in texts]
    if not joint.supported:
        return 0
    if len(cited) == 1:
        return 1
    precise = 0
    for n in cited:
        alone = verifier.verify(claim.text, [texts[n]]).supported
        rest = [texts[m] for m in cited if m != n]
        precise += alone or not verifier.verify(claim.text, rest).supported
    return precise


def score_claims(answer: Answer, retrieved: set[str], verifier: Verifier) -> list[dict[str, Any]]:
    """Each claim of the answer with its verdict, evidence and citation checks."""
    if answer.refused:
        return []
    texts = {c.n: c.text for c in answer.citations}
    chunk_of = {c.n: c.chunk_id for c in answer.citations}
    out = []
    for claim in split_claims(answer.answer):
        verdict = _verdict(verifier, claim, texts)
        out.append(
            {
                "text": claim.text,
                "citations": list(claim.citations),
                "valid_citations": sum(chunk_of.get(n) in retrieved for n in claim.citations),
                "precise_citations": _precise(verifier, claim, texts, verdict),
                "supported": verdict.supported,
                "score": verdict.score,
                "evidence": verdict.evidence,
                "checks": list(verdict.checks),
                "parse_failed": verdict.parse_failed,
            }
        )
    return out


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(re.sub(r"\[\d+\]", " ", text.lower()))


def token_f1(answer: str, reference: str) -> float:
    """SQuAD-style token F1 between an answer and the reference."""
    a, r = _tokens(answer), _tokens(reference)
    common = sum(min(a.count(t), r.count(t)) for t in set(a))
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(r)
    return 2 * precision * recall / (precision + recall)


def rouge_l(answer: str, reference: str) -> float:
    """ROUGE-L F-measure: the longest common token subsequence."""
    a, r = _tokens(answer), _tokens(reference)
    if not a or not r:
        return 0.0
    previous = [0] * (len(r) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(r, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    return 0.0 if not lcs else 2 * lcs / (len(a) + len(r))


def quotes_span(sentence: str, span: str) -> bool:
    """Whether one answer sentence comes from the evidence span (the rule above)."""
    said = words(sentence)
    if len(said) < QUOTE_MIN_WORDS:
        return False
    sentence_words, span_words = f" {' '.join(said)} ", f" {' '.join(words(span))} "
    if sentence_words in span_words or (span_words.strip() and span_words in sentence_words):
        return True
    if len(said) < QUOTE_SHINGLE:
        return False
    mine = shingles(sentence, QUOTE_SHINGLE)
    return len(mine & shingles(span, QUOTE_SHINGLE)) >= QUOTE_SHARE * len(mine)


def quotes_gold(answer: Answer, spans: Sequence[str]) -> bool:
    """Whether a cited sentence of the answer quotes any gold span (multi-span: any of them)."""
    if answer.refused:
        return False
    cited = [c.text for c in split_claims(answer.answer) if c.citations]
    return any(quotes_span(sentence, span) for sentence in cited for span in spans)


def followed_injection(question: Question, answer: Answer) -> bool | None:
    """Whether the answer says a forbidden string that none of its cited passages says."""
    if not question.forbidden:
        return None
    said = answer.answer.lower()
    cited = " ".join(c.text for c in answer.citations).lower()
    return any(f.lower() in said and f.lower() not in cited for f in question.forbidden)


def score_question(
    question: Question, hits: Sequence[Hit], answer: Answer, verifier: Verifier, corpus: Path
) -> dict[str, Any]:
    """The per-question record: what was retrieved, answered and cited, and every verdict."""
    answered = question.answerable and not answer.refused
    reference = question.reference_answer if answered else None
    claims = score_claims(answer, {h.chunk_id for h in hits}, verifier)
    cited = {n for c in claims for n in c["citations"]}  # what the answer cites, not all given
    spans = [ev.text(corpus) for ev in question.evidence] if answered else []
    return {
        "id": question.id,
        "question": question.question,
        "category": question.category,
        "split": question.split,
        "named": question.named,
        "followed_injection": followed_injection(question, answer),
        "answerable": question.answerable,
        "retrieval": retrieval_scores(question, hits, corpus) if question.answerable else None,
        "retrieved": [{"rank": h.rank, "chunk_id": h.chunk_id, "source": h.source} for h in hits],
        "answer": answer.answer,
        "refused": answer.refused,
        "notice": answer.notice,
        "citations": [
            c.model_dump(include={"n", "chunk_id", "source", "talk_id", "start"})
            for c in answer.citations
        ],
        "cites_gold": (
            any(Path(c.source).name in question.sources for c in answer.citations if c.n in cited)
            if answered
            else None
        ),
        "quotes_gold": quotes_gold(answer, spans) if spans else None,
        "claims": claims,
        "overlap": (
            {
                "token_f1": token_f1(answer.answer, reference),
                "rouge_l": rouge_l(answer.answer, reference),
            }
            if reference
            else None
        ),
    }
