"""Moments by word position: anchors, interpolation between stamps, and the estimate's error."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from talkrag.ingest.errors import ManifestError
from talkrag.ingest.manifest import load_manifest
from talkrag.ingest.models import Segment, Talk, Transcript
from talkrag.ingest.moments import Moment, Timing, anchors, at_word, place

from bench.moments import (
    Timed,
    duration_errors,
    every_other_errors,
    percentile,
    summarise,
    timed,
    timed_points,
)


def test_no_stamps_no_length_and_no_rate_give_no_times():
    assert anchors((), 100, None) == []
    assert place([(5, None), (5, None)], Timing(prose=True)) == [Moment(None, None, False)] * 2


def test_a_length_alone_spreads_the_words_evenly():
    # time = word position x duration / words: 40 words over 200 s, 5 s a word
    moments = place([(10, None), (20, None), (10, None)], Timing(True, 200.0))
    assert [(m.start, m.end) for m in moments] == [(0.0, 50.0), (50.0, 150.0), (150.0, 200.0)]
    assert all(m.estimated for m in moments)
    at_rate = place([(10, None), (20, None), (10, None)], Timing(True, None, rate=2.0))
    assert [m.start for m in at_rate] == [0.0, 5.0, 15.0]  # no length: 2 words a second
    assert place([(10, None)], Timing(True, 200.0, rate=2.0))[0].end == 200.0  # length wins


def test_stamps_are_exact_and_the_words_between_them_interpolated():
    spans = [(10, None), (10, 60.0), (30, None), (10, 180.0), (10, None)]
    moments = place(spans, Timing(True, 300.0))
    assert [m.start for m in moments] == [0.0, 60.0, 90.0, 180.0, 240.0]  # 6 s a word, 3 s, 6 s
    assert [m.estimated for m in moments] == [True, False, True, False, True]
    assert moments[-1].end == 300.0
    # no length: past the last stamp at the stamps' own rate, 50 words in 180 s
    unknown = place(spans, Timing(True, None, rate=100.0))
    assert (unknown[-1].start, unknown[-1].end) == (216.0, 252.0)


def test_a_lone_stamp_and_no_rate_keep_its_time_a_lower_bound():
    moments = place([(10, 5.0), (10, None)], Timing(prose=True))
    assert moments == [Moment(5.0, 5.0, False), Moment(5.0, 5.0, True)]


def test_a_stamp_that_runs_backwards_is_passed_over():
    points = anchors([(10, 100.0), (20, 50.0), (30, 150.0)], 40, 200.0)
    assert points == [(0, 0.0), (10, 100.0), (30, 150.0), (40, 200.0)]
    moments = place([(10, None), (10, 100.0), (10, 50.0), (10, 150.0)], Timing(True, 200.0))
    assert moments[2] == Moment(125.0, 150.0, True)  # its own stamp was a typo: estimated


def test_two_stamps_with_no_words_between_keep_the_later_and_a_short_end_is_ignored():
    assert anchors([(0, 5.0), (0, 8.0)], 10, None) == [(0, 8.0)]
    assert anchors([(0, 5.0), (4, 90.0)], 10, 60.0) == [(0, 5.0), (4, 90.0)]
    assert at_word([(0, 5.0), (4, 90.0)], 2) == pytest.approx(47.5)


def test_percentile_is_the_nearest_rank():
    values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0, 6.0, 7.0, 8.0, 9.0]
    assert percentile(values, 50) == 5.0
    assert percentile(values, 90) == 9.0
    assert percentile([7.0], 90) == 7.0
    assert math.isnan(percentile([], 50))


def test_estimate_errors_are_counted_against_the_true_times():
    talk = Timed(points=[(0, 0.0), (50, 30.0), (100, 100.0), (150, 150.0)], words=200, duration=200)
    # by duration alone a word is 1 s: errors 0, 20, 0 and 0 s
    assert duration_errors(talk) == [(0.0, 0.0), (20.0, 0.1), (0.0, 0.0), (0.0, 0.0)]
    # the even points kept: word 50 lies between (0, 0) and (100, 100): 50 s, 20 s off;
    # word 150 between (100, 100) and the end (200, 200): exact
    assert every_other_errors(talk) == [(20.0, 0.1), (0.0, 0.0)]
    got = summarise(duration_errors(talk))
    assert (got.points, got.median_s, got.p90_s, got.p90_share) == (4, 0.0, 20.0, 0.1)


def _prose(*segments: Segment) -> Transcript:
    return Transcript(Talk(id="t", title="t", source="t.md"), tuple(segments), prose=True)


def test_timed_points_are_the_new_times_and_prose_ends_at_its_last_stamp():
    transcript = _prose(
        Segment("one two three", None, None),
        Segment("four five", None, 10.0),
        Segment("six seven", None, 10.0),  # carried from the stamp before: not a point
        Segment("eight", None, 5.0),  # runs backwards: passed over
        Segment("nine ten", None, 30.0),
        Segment("eleven", None, 60.0),
    )
    assert timed_points(transcript) == [(3, 10.0), (8, 30.0), (10, 60.0)]
    assert timed(transcript) == Timed([(3, 10.0), (8, 30.0)], words=10, duration=60.0)


def test_a_manifest_duration_is_read_in_seconds_and_a_bad_one_is_named(tmp_path: Path):
    good = tmp_path / "m.csv"
    good.write_text("video_id,duration\nQm4nR8sTt2w,962.5\n")
    assert load_manifest(good).entries()["Qm4nR8sTt2w"]["duration"] == 962.5
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"file": "a.md", "duration": 10}\n{"file": "b.md", "duration": "soon"}\n')
    with pytest.raises(ManifestError, match=r"bad\.jsonl: line 2: duration: not a length"):
        load_manifest(bad)
    for value in ("-5", "0", "NaN", "true"):
        bad.write_text(f'{{"file": "a.md", "duration": {value}}}\n')
        with pytest.raises(ManifestError, match="duration"):
            load_manifest(bad)
