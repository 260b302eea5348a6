"""BM25 over the same chunks as Chroma, kept in step by the store's generation token.

The rows (texts and metadata, rag/rows.py) and BM25 are saved together as one Twin, since both
are read from Chroma at once and must be of the same generation.

Local Chroma has no lexical search, so BM25 runs in process (bm25s). The index is saved beside
the data directory and rebuilt only when the store's generation changed since it was built.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from talkrag.ingest.settings import IngestSettings
from talkrag.ingest.store import ChunkStore
from talkrag.rag.entities import Entities
from talkrag.rag.rows import Rows

log = logging.getLogger(__name__)

MIN_VOCAB = 5000  # distinct terms; the dev corpus has 17,747, six sample talks a few hundred
# Words that frame a question rather than name its subject: never evidence of a gap, and left
# out of the BM25 query, where spoken transcripts match them everywhere (with the per-talk cap
# counting passages, dev set passage@5 0.767 -> 0.80, hit@1 0.783 -> 0.817).
FRAMING = (
    "why how what which who whom whose when where did does do can could would should will might "
    "may make made say said tell told "
    "anyone someone somebody anybody talk talks speaker speakers guest host hosts mention "
    "mentioned discuss discussed explain explained describe described give gave about anything "
    "something"
).split()
# A name that is an everyday word ("Young", "Notion") in this share of chunks links only with a
# capital; on a small index (fewer than COMMON_MIN chunks with it) every name links.
COMMON_SHARE = 0.01
COMMON_MIN = 50
FORMAT = "2"
# "LongMemEval", "IFEval": a coined name is its parts, which captions say apart ("long mem eval").
_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])"
)  # 2: the talk title is part of each chunk's BM25 document


def _stemmer() -> Any:
    try:
        import Stemmer  # noqa: PLC0415  (PyStemmer: optional, better recall when present)
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


def tokenize(texts: list[str], stemmer: Any) -> Any:
    """Lowercased word tokens, English stopwords out, stemmed when PyStemmer is installed."""
    import bm25s  # noqa: PLC0415

    return bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)


@dataclass
class LexicalIndex:
    """BM25 over every chunk's title and text, rows numbered as in the index's Rows."""

    bm25: Any
    stemmer: Any
    _framing: set[str] | None = field(init=False, default=None)
    _common: dict[str, bool] = field(init=False, default_factory=dict)  # names looked up

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Row numbers and BM25 scores of the best k chunks (score > 0), mask limiting rows."""
        vocab = getattr(self.bm25, "vocab_dict", None)
        if not vocab:
            return []
        terms = [vocab[w] for w in self._subject(tokenize([query], self.stemmer)) if w in vocab]
        if not terms:
            return []
        weights = mask.astype(np.float32) if mask is not None else None
        scores = self.bm25.get_scores_from_ids(terms, weight_mask=weights)
        return [(int(r), float(scores[r])) for r in top_rows(scores, k)]

    def unknown_terms(self, text: str) -> list[str]:
        """The text's (stemmed) content terms that no chunk in the index contains.

        Only a broad index says anything by lacking a word: below MIN_VOCAB terms, none counts.
        """
        vocab = getattr(self.bm25, "vocab_dict", None)
        if not vocab or len(vocab) < MIN_VOCAB:
            return []
        framing = self.framing()
        tokens = tokenize([_CAMEL.sub(" ", text)], self.stemmer)
        words = {i: w for w, i in tokens.vocab.items()}
        return [w for w in (words[i] for i in tokens.ids[0]) if w not in vocab and w not in framing]

    def common(self, word: str) -> bool:
        """Whether a word is an everyday one here (in over COMMON_SHARE of chunks, and at
        least COMMON_MIN): such a name links only when written with a capital."""
        if word not in self._common:
            self._common[word] = self._is_common(word)
        return self._common[word]

    def _is_common(self, word: str) -> bool:
        vocab = getattr(self.bm25, "vocab_dict", None)
        if not vocab:
            return False
        stems = list(tokenize([word], self.stemmer).vocab)
        terms = [vocab[t] for t in stems if t in vocab]
        if not terms:  # a stopword (common), or a word no chunk has (not)
            return not any(stems)
        indptr = self.bm25.scores["indptr"]
        docs = max(int(indptr[t + 1] - indptr[t]) for t in terms)
        return docs >= COMMON_MIN and docs > COMMON_SHARE * self.bm25.scores["num_docs"]

    def framing(self) -> set[str]:
        """The FRAMING words as this index's tokenizer writes them (stemmed once per index)."""
        if self._framing is None:
            self._framing = set(tokenize([" ".join(FRAMING)], self.stemmer).vocab)
        return self._framing

    def _subject(self, tokens: Any) -> list[str]:
        """The query's words less its framing words; all of them when nothing else is left."""
        words = {i: w for w, i in tokens.vocab.items()}
        every = [words[i] for i in tokens.ids[0]]
        framing = self.framing()
        return [w for w in every if w not in framing] or every


@dataclass
class Twin:
    """What is kept beside Chroma for one generation of it: the rows, their BM25, and the
    names (speakers, companies) the rows' talks carry."""

    generation: str
    rows: Rows
    lexical: LexicalIndex
    entities: Entities = field(init=False)

    def __post_init__(self) -> None:
        self.entities = Entities.of(self.rows.metas, self.lexical.common)


def top_rows(scores: np.ndarray, k: int, block: int = 1024) -> np.ndarray:
    """Rows of the k highest positive scores, best first, ties by row.

    bm25s selects with np.argpartition, which takes ~200 ms on 1M mostly-zero scores for
    half the dev questions (6 ms for the rest). The k-th largest block maximum is a floor
    under the k-th best score, so only the few rows at or above it are sorted.
    """
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    full = len(scores) // block * block
    maxima = scores[:full].reshape(-1, block).max(axis=1)
    if full < len(scores):
        maxima = np.append(maxima, scores[full:].max())
    floor = np.partition(maxima, len(maxima) - k)[len(maxima) - k] if len(maxima) > k else 0.0
    rows = np.flatnonzero((scores >= floor) & (scores > 0))
    return rows[np.lexsort((rows, -scores[rows]))][:k]


def bm25_over(texts: list[str]) -> LexicalIndex:
    """BM25 over texts, row i being texts[i]."""
    import bm25s  # noqa: PLC0415

    stemmer = _stemmer()
    bm25 = bm25s.BM25()
    if texts:
        bm25.index(tokenize(texts, stemmer), show_progress=False)
    return LexicalIndex(bm25 if texts else None, stemmer)


def build(store: ChunkStore) -> Twin:
    """Fresh rows and BM25 over every chunk in the store."""
    generation = store.generation()
    ids, texts, metas = store.rows()
    speakers = {r.talk.id: list(r.talk.speakers) for r in store.file_records()}
    for meta in metas:  # the talk's speakers, for chunks whose own turns are unlabelled
        meta["talk_speakers"] = speakers.get(meta["talk_id"], [])
    # Questions often name the talk's subject or company, which a chunk's own words may not.
    titled = [f"{m.get('title') or ''}\n{t}" for m, t in zip(metas, texts, strict=True)]
    lexical = bm25_over(titled)
    log.info("built BM25 over %d chunks", len(ids))
    return Twin(generation, Rows(ids, texts, metas), lexical)


def save(twin: Twin, folder: Path) -> None:
    """Write the index to folder atomically (a new folder renamed into place)."""
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if twin.rows.ids:
        twin.lexical.bm25.save(str(tmp / "bm25"), show_progress=False)
    rows = {
        "format": FORMAT,
        "generation": twin.generation,
        "ids": twin.rows.ids,
        "texts": twin.rows.texts,
        "metas": twin.rows.metas,
    }
    # ASCII (non-ASCII escaped): one accented letter would make the whole file's string 4 bytes
    # a character when read back, twice the parsed rows' memory at load (871 vs 443 MiB, 100k).
    (tmp / "rows.json").write_text(json.dumps(rows))
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _load(folder: Path, generation: str) -> Twin | None:
    """The saved twin when it is whole and of this generation; None (and why, logged) if not."""
    try:
        rows = json.loads((folder / "rows.json").read_text())
    except FileNotFoundError:
        log.info("no saved BM25 index in %s: building it", folder)
        return None
    except (OSError, ValueError) as exc:
        log.warning("the saved BM25 rows in %s are unreadable (%s): rebuilding", folder, exc)
        return None
    if rows.get("format") != FORMAT or rows.get("generation") != generation:
        log.info(
            "the saved BM25 index in %s is of another generation or format: rebuilding", folder
        )
        return None
    import bm25s  # noqa: PLC0415

    # Memory-mapped: a query reads only its terms' postings, and the matrix stays out of RSS.
    path = str(folder / "bm25")
    try:
        bm25 = bm25s.BM25.load(path, mmap=True, show_progress=False) if rows["ids"] else None
    except (OSError, ValueError) as exc:  # a missing or truncated matrix: rebuilt from Chroma
        log.warning("the saved BM25 matrix in %s is damaged (%s): rebuilding", folder, exc)
        return None
    table = Rows(rows["ids"], rows["texts"], rows["metas"])
    return Twin(generation, table, LexicalIndex(bm25, _stemmer()))


def load_or_build(store: ChunkStore, folder: Path) -> Twin:
    """The saved twin when it matches the store's generation, else a rebuilt (and saved) one."""
    twin = _load(folder, store.generation())
    if twin is not None:
        return twin
    twin = build(store)
    try:
        save(twin, folder)
    except OSError as exc:  # a read-only data directory still answers, just slower next time
        log.warning("could not save the BM25 index to %s (%s)", folder, exc)
    return twin


def twin_path(settings: IngestSettings) -> Path:
    """Where an index's rows and BM25 are kept, beside its Chroma files."""
    return settings.db / f"lexical-{settings.collection}"
