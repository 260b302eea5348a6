"""A question term no transcript contains: counted only on a broad index, framing words never."""

from __future__ import annotations

from talkrag.rag.lexical import MIN_VOCAB, LexicalIndex, bm25_over


def _index(texts: list[str]) -> LexicalIndex:
    return bm25_over(texts)


def _broad() -> LexicalIndex:
    words = [f"term{n}x" for n in range(MIN_VOCAB + 100)]
    texts = [" ".join(words[i : i + 50]) + " sharding tenants" for i in range(0, len(words), 50)]
    return _index(texts)


def test_a_term_no_chunk_contains_is_unknown_on_a_broad_index():
    unknown = _broad().unknown_terms("What did the Zephyrine team say about sharding tenants?")
    assert unknown in (["zephyrin", "team"], ["zephyrine", "team"])


def test_framing_words_are_never_unknown():
    assert _broad().unknown_terms("Why did anyone explain how speakers discussed it?") == []


def test_a_small_index_says_nothing_by_lacking_a_word():
    small = _index(["We shard the vector index by tenant.", "Queries touch one shard."])
    assert small.unknown_terms("Why did the Zephyrine team shard by tenant?") == []
