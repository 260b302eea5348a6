"""Benchmarks: `python -m bench` (or `make bench`) prints figures; tests never assert on time."""

from pathlib import Path

from talkrag.evals.settings import DEFAULT_CORPUS

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / DEFAULT_CORPUS).resolve()  # the real corpora, beside the repository
