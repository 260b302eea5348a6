"""Meta-evaluation: how well a verifier tells supported claims from perturbed ones.

The labelled pairs are built at run time from real transcript sentences (nothing is copied into
git): for a sentence, the evidence is the sentence with its neighbours; supported claims are the
sentence itself, a light paraphrase or its first clause; unsupported claims swap a number, date
or name, flip a negation, join on a clause from another talk, or are a sentence from another
talk. `multi_sentence` claims join two sentences in a row, so only evidence of more than one
sentence supports them. A seed fixes the files, sentences and edits, so the set is the same on
every run. Each file falls in one half (`half_of`): the dev set's half where it holds a dev
question's talk, else by a hash of its name; a verifier is tuned on `tune`, reported on
`heldout` (evals/answer_pairs.py adds the dev set's reference answers, true paraphrases).
"""

from __future__ import annotations

import random
import zlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from talkrag.evals import perturb
from talkrag.ingest.chunk import split_sentences
from talkrag.ingest.errors import InputError
from talkrag.ingest.parsers import parse_file
from talkrag.rag.support import names
from talkrag.rag.verify import Verifier

SUPPORTED_KINDS = ("verbatim", "paraphrase", "clause", "multi_sentence")
UNSUPPORTED_KINDS = ("number", "date", "name", "negation", "addition", "other_talk")
MIN_WORDS, MAX_WORDS, CONTEXT = 8, 45, 2
SUFFIXES = frozenset({".md", ".txt", ".srt", ".vtt", ".json"})


@dataclass(frozen=True, slots=True)
class Pair:
    """One labelled claim/evidence pair and how it was made."""

    kind: str
    claim: str
    evidence: str
    supported: bool
    source: str
    split: str = "tune"  # the half it falls in: tune or heldout


def half_of(path: Path, halves: Mapping[str, str]) -> str:
    """A transcript's half: the dev set's for its talk, else by a stable hash of its name."""
    return halves.get(path.name) or ("heldout" if zlib.crc32(path.name.encode()) % 2 else "tune")


def _joined(sentences: list[str], i: int) -> str | None:
    """A sentence and the next one joined into one claim, which only both together support."""
    if i + 1 >= len(sentences):
        return None
    first, second = sentences[i].rstrip(".!?"), sentences[i + 1]
    return f"{first}, and {second[:1].lower()}{second[1:]}"


def _sentences(path: Path) -> list[str]:
    transcript = parse_file(path)
    return [
        s
        for seg in transcript.segments
        for s in split_sentences(seg.text)
        if MIN_WORDS <= len(s.split()) <= MAX_WORDS and not s.endswith("?")
    ]


def _context(sentences: list[str], i: int) -> str:
    return " ".join(sentences[max(i - CONTEXT, 0) : i + CONTEXT + 1])


def _pairs_for(
    sentences: list[str], others: list[str], pool: list[str], rng: random.Random
) -> list[tuple[str, str, str, bool]]:
    """(kind, claim, evidence, supported) for one file: one pair per kind it can give."""
    rewrites: dict[str, Callable[[str], str | None]] = {
        "verbatim": lambda s: s,
        "paraphrase": perturb.paraphrase,
        "clause": perturb.clause,
        "multi_sentence": lambda s: _joined(sentences, sentences.index(s)),
        "number": lambda s: perturb.swap_number(s, rng),
        "date": lambda s: perturb.swap_date(s, rng),
        "name": lambda s: perturb.swap_name(s, pool, rng),
        "negation": perturb.negate,
        "addition": lambda s: perturb.add_unsupported(s, rng.choice(others)),
        "other_talk": lambda _: rng.choice(others),
    }
    out = []
    for kind, rewrite in rewrites.items():
        order = list(range(len(sentences)))
        rng.shuffle(order)
        for i in order:
            claim = rewrite(sentences[i])
            if claim:
                out.append((kind, claim, _context(sentences, i), kind in SUPPORTED_KINDS))
                break
    return out


def build_pairs(
    files: Sequence[Path], seed: int = 0, halves: Mapping[str, str] | None = None
) -> list[Pair]:
    """The labelled pairs for these transcript files; files that cannot be parsed are skipped.

    halves: file name -> the dev set's half, for the files its questions are about.
    """
    texts: dict[str, list[str]] = {}
    for path in sorted(files):
        try:
            if sentences := _sentences(path):
                texts[str(path)] = sentences
        except InputError:
            continue
    if len(texts) < 2:  # noqa: PLR2004  (other_talk and addition need a second talk)
        raise InputError("meta-evaluation needs at least two parseable transcripts")
    rng = random.Random(seed)  # noqa: S311  (a seeded, reproducible draw, not a secret)
    file_names = {src: {n for s in ss for n in names(s)} for src, ss in texts.items()}
    pairs = []
    for source, sentences in texts.items():
        others = [s for src, ss in texts.items() if src != source for s in ss]
        pool = sorted({n.capitalize() for src in texts if src != source for n in file_names[src]})
        for kind, claim, evidence, label in _pairs_for(sentences, others, pool, rng):
            pairs.append(
                Pair(kind, claim, evidence, label, source, half_of(Path(source), halves or {}))
            )
    return pairs


def pick_files(folders: Sequence[Path], n: int, seed: int = 0) -> list[Path]:
    """n transcript files drawn by seed from the folders (any supported format)."""
    found = sorted(
        p
        for folder in folders
        for p in folder.rglob("*")
        if p.suffix in {".md", ".txt", ".srt", ".vtt", ".json"}
        and not p.name.startswith(("README", "_"))
    )
    draw = random.Random(seed)  # noqa: S311  (a seeded, reproducible draw, not a secret)
    return sorted(draw.sample(found, min(n, len(found))))


def auroc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    pos = np.array([s for s, y in zip(scores, labels, strict=True) if y])
    neg = np.array([s for s, y in zip(scores, labels, strict=True) if not y])
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def evaluate(pairs: Sequence[Pair], verifier: Verifier) -> dict[str, object]:
    """Balanced accuracy, AUROC, and per kind the share of pairs the verifier labels right."""
    warm = getattr(verifier, "warm", None)
    if warm is not None:
        warm(sorted({t for p in pairs for t in (p.claim, p.evidence)}))
    verdicts = [verifier.verify(p.claim, [p.evidence]) for p in pairs]
    labels = [p.supported for p in pairs]
    said = [v.supported for v in verdicts]
    tpr = np.mean([s for s, y in zip(said, labels, strict=True) if y])
    tnr = np.mean([not s for s, y in zip(said, labels, strict=True) if not y])
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for pair, verdict in zip(pairs, verdicts, strict=True):
        by_kind[pair.kind].append(verdict.supported == pair.supported)
    return {
        "verifier": verifier.name,
        "pairs": len(pairs),
        "balanced_accuracy": round(float((tpr + tnr) / 2), 4),
        "auroc": round(auroc(labels, [v.score for v in verdicts]), 4),
        "parse_failures": sum(v.parse_failed for v in verdicts),
        "correct_by_kind": {k: round(float(np.mean(v)), 3) for k, v in sorted(by_kind.items())},
        "count_by_kind": {k: len(v) for k, v in sorted(by_kind.items())},
    }
