"""top_rows: the exact k best positive BM25 scores, whatever the share of zeros and ties."""

from __future__ import annotations

import numpy as np
import pytest
from talkrag.rag.lexical import top_rows


def _reference(scores: np.ndarray, k: int) -> list[int]:
    positive = [i for i in range(len(scores)) if scores[i] > 0]
    return sorted(positive, key=lambda i: (-scores[i], i))[:k]


@pytest.mark.parametrize("n", [1, 7, 1023, 1024, 1025, 5000, 70_001])
@pytest.mark.parametrize("k", [0, 1, 5, 40, 100_000])
def test_top_rows_match_a_full_sort(n: int, k: int):
    rng = np.random.default_rng(n * 31 + k)
    scores = rng.random(n).astype(np.float32)
    scores[rng.random(n) < 0.7] = 0.0  # most chunks share no term with the question
    scores[rng.random(n) < 0.1] = 0.5  # and many tie
    assert top_rows(scores, k, block=64).tolist() == _reference(scores, k)
    assert top_rows(scores, k).tolist() == _reference(scores, k)


def test_no_positive_score_gives_no_rows():
    assert top_rows(np.zeros(5000, dtype=np.float32), 40).tolist() == []
