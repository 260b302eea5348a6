"""Chunking: sentence and turn boundaries, the tokenizer's limit, overlap, stable ids."""

from __future__ import annotations

import itertools
import re

import pytest
from talkrag.ingest.chunk import chunk_id, chunk_segments, split_sentences
from talkrag.ingest.models import Segment
from talkrag.ingest.moments import Timing

SENTENCES = [
    f"Sentence number {i} talks about retrieval, evaluation and latency budgets in production."
    for i in range(60)
]


def _tokens(tokenizer, text: str) -> int:
    return len(tokenizer.encode(text).ids)  # special tokens included, as the model counts


def test_split_sentences_keeps_punctuation_and_quotes():
    text = 'He said "stop." Then we left! Did it work? yes it did. 3 things matter.'
    assert split_sentences(text) == [
        'He said "stop."',
        "Then we left!",
        "Did it work? yes it did.",
        "3 things matter.",
    ]


@pytest.mark.parametrize("max_tokens", [32, 64, 128, 256])
def test_no_chunk_exceeds_the_model_limit_and_no_text_is_lost(tokenizer, max_tokens):
    segments = [
        Segment(" ".join(SENTENCES[i : i + 5]), None, i * 10.0, i * 10.0 + 9)
        for i in range(0, 60, 5)
    ]
    chunks = chunk_segments("t", segments, tokenizer, max_tokens, overlap_tokens=16)
    assert all(_tokens(tokenizer, c.text) <= max_tokens for c in chunks)
    assert all(c.n_tokens == _tokens(tokenizer, c.text) for c in chunks)
    joined = " ".join(c.text for c in chunks)
    for sentence in SENTENCES:
        assert sentence in joined or max_tokens < 32  # every sentence survives whole


def test_unpunctuated_captions_are_cut_at_word_boundaries(tokenizer):
    words = [f"word{i % 97}" for i in range(3000)]
    chunks = chunk_segments("t", [Segment(" ".join(words))], tokenizer, 256, 32)
    assert len(chunks) > 5
    assert all(_tokens(tokenizer, c.text) <= 256 for c in chunks)
    vocabulary = set(words)
    for chunk in chunks:
        assert set(chunk.text.split()) <= vocabulary  # no word was cut in two


def test_speaker_turns_are_labelled_and_recorded(tokenizer):
    segments = [
        Segment("We shard the index by tenant.", "Ana Ruiz", 0.0, 4.0),
        Segment("Why not by time?", "Bo Chen", 4.0, 6.0),
        Segment("Because queries are per tenant.", "Ana Ruiz", 6.0, 9.5),
    ]
    (chunk,) = chunk_segments("t", segments, tokenizer, 256, 0)
    assert chunk.text == (
        "Ana Ruiz: We shard the index by tenant.\nBo Chen: Why not by time?\n"
        "Ana Ruiz: Because queries are per tenant."
    )
    assert chunk.speakers == ("Ana Ruiz", "Bo Chen")
    assert (chunk.start, chunk.end) == (0.0, 9.5)


def test_chunks_overlap_a_little_and_times_follow_segments(tokenizer):
    segments = [Segment(s, "Ana", float(i), float(i + 1)) for i, s in enumerate(SENTENCES)]
    chunks = chunk_segments("t", segments, tokenizer, 128, overlap_tokens=24)
    for before, after in itertools.pairwise(chunks):
        last = re.split(r"(?<=\.) ", before.text)[-1]
        assert last in after.text  # the last sentence repeats at the next chunk's start
        assert after.start is not None
        assert before.start is not None
        assert after.start >= before.start


def test_each_timed_sentence_knows_where_it_starts_and_when(tokenizer):
    segments = [
        Segment("We shard the index by tenant. It was fast.", "Ana Ruiz", 0.0, 4.0),
        Segment("Why not by time?", "Bo Chen", 4.0, 6.0),
        Segment("Because queries are per tenant.", "Ana Ruiz", 6.5, 9.5),
        Segment("Untimed words here.", "Ana Ruiz", None, None),
    ]
    (chunk,) = chunk_segments("t", segments, tokenizer, 256, 0)
    assert [t for _, t in chunk.marks] == [0.0, 4.0, 6.5]  # one mark per timed segment
    said = ["We shard the index by tenant.", "Why not by time?", "Because queries are per tenant."]
    for (at, _), text in zip(chunk.marks, said, strict=True):
        assert chunk.text[at:].startswith(text)


def test_prose_sentences_are_timed_between_their_stamps_by_word_position(tokenizer):
    segments = [  # a `[00:10]` stamp, then a paragraph that carries it forward, as prose does
        Segment("Four words are here. Four more words here.", "Ana", 10.0),
        Segment("And four words again.", "Ana", 10.0),
        Segment("Now a new stamp.", "Ana", 34.0),
    ]
    (timed,) = chunk_segments("t", segments, tokenizer, 256, 0, Timing(prose=True))
    assert [t for _, t in timed.marks] == [10.0, 18.0, 26.0, 34.0]  # 2 s a word between stamps
    said = ["Four words", "Four more", "And four", "Now a"]
    for (at, _), text in zip(timed.marks, said, strict=True):
        assert timed.text[at:].startswith(text)
    assert timed.time_estimated
    (read,) = chunk_segments("t", segments, tokenizer, 256, 0)  # captions: each segment's time
    assert ([t for _, t in read.marks], read.time_estimated) == ([10.0, 34.0], False)


def test_an_untimed_talk_of_known_length_is_spread_over_it(tokenizer):
    segments = [Segment("One two three four. Five six seven eight.", None)]
    (chunk,) = chunk_segments("t", segments, tokenizer, 256, 0, Timing(prose=True, duration=80))
    assert (chunk.start, chunk.end, chunk.marks) == (0.0, 80.0, ((0, 0.0), (20, 40.0)))
    assert chunk.time_estimated
    (untimed,) = chunk_segments("t", segments, tokenizer, 256, 0, Timing(prose=True))
    assert (untimed.start, untimed.marks, untimed.time_estimated) == (None, (), False)


def test_ids_are_stable_and_change_with_text(tokenizer):
    segments = [Segment(s) for s in SENTENCES[:20]]
    first = chunk_segments("t", segments, tokenizer, 128, 16)
    again = chunk_segments("t", segments, tokenizer, 128, 16)
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    assert chunk_id("t", 0, "a") != chunk_id("t", 0, "b") != chunk_id("u", 0, "b")
