"""Coverage-guided fuzzing of every transcript parser with atheris (libFuzzer).

python tests/fuzz/atheris_parsers.py -runs=20000 [corpus dirs...]
The first input byte picks the format; the rest is the file. Any exception other than
TranscriptError, or a hang past libFuzzer's -timeout, is a crash and exits non-zero.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from talkrag.ingest.errors import TranscriptError
    from talkrag.ingest.parsers import SUPPORTED_SUFFIXES, parse_bytes

PATHS = [Path(f"fuzzed{suffix}") for suffix in SUPPORTED_SUFFIXES]


def one_input(data: bytes) -> None:
    """Parse the bytes as the format the first byte picks; only TranscriptError may escape."""
    if not data:
        return
    path = PATHS[data[0] % len(PATHS)]
    with contextlib.suppress(TranscriptError):
        parse_bytes(path, data[1:])


def main() -> None:
    """Run libFuzzer over the parsers with the command line's options."""
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
