"""The digest's quality counts: talks represented, quotes verbatim, coherence, track mapping."""

from __future__ import annotations

import pytest
from talkrag.rag.digest_figures import (
    coherence,
    in_source,
    primary_theme,
    represented,
    track_map,
    verbatim,
)

from tests.unit.digest_parts import digest, quote, talk, theme


def _two_themes():
    one = theme(1, [talk("a"), talk("b", 0.6)], [quote(1, "a", "Evals come first.")])
    two = theme(
        2,
        [talk("b", 0.4), talk("c")],
        [quote(2, "b", "Voice needs latency."), quote(3, "c", "Not in it.", text="Other text.")],
        coherence=0.5,
    )
    return digest([one, two])


def test_represented_counts_listed_and_quoted_talks_of_the_scope():
    got = represented(_two_themes(), {"a", "b", "c", "d"})
    assert got == {"listed": 0.75, "quoted": 0.75}
    assert represented(_two_themes(), {"a", "z"}) == {"listed": 0.5, "quoted": 0.5}


def test_verbatim_is_the_share_of_quotes_inside_their_passage():
    assert verbatim(_two_themes()) == pytest.approx(2 / 3)
    assert verbatim(digest([])) == 1.0


def test_in_source_ignores_line_breaks_spacing_and_entities_only():
    source = "[00:10] We measured\nrecall   at five &amp; it moved."
    assert in_source("We measured recall at five & it moved.", source)
    assert not in_source("We measured recall at six", source)


def test_in_source_reads_rolled_caption_lines_once():
    source = "so we shard by tenant so we shard by tenant so we shard by tenant instead."
    assert in_source("so we shard by tenant instead.", source)
    assert not in_source("so we shard by hash instead.", source)


def test_coherence_averages_themes_and_counts_distinct_quoted_talks():
    got = coherence(_two_themes())
    assert got == {"own_centre": 0.75, "talks_min": 1.0, "talks_mean": 1.5}


def test_a_talks_primary_theme_holds_its_largest_share():
    assert primary_theme(_two_themes()) == {"a": 1, "b": 1, "c": 2}


def test_track_map_purity_and_nmi():
    themes = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}
    same = track_map(themes, {"a": "Evals", "b": "Evals", "c": "Voice", "d": "Voice", "e": "Voice"})
    assert (same.purity, same.inverse_purity, same.nmi) == (1.0, 1.0, pytest.approx(1.0))
    mixed = track_map(themes, {"a": "Evals", "b": "Voice", "c": "Evals", "d": "Voice"})
    assert mixed.purity == 0.5  # theme 1: 1 of 2 Evals; theme 2: 1 of 2
    assert mixed.nmi == pytest.approx(0.0)  # e has no track: left out
    assert mixed.tracks_of(2) == [("Evals", 1), ("Voice", 1)]
    assert mixed.themes_of("Voice") == [(1, 1), (2, 1)]
    assert track_map(themes, {}).purity == 0.0
