"""The whole talkrag error tree: one line each, saying what failed, where, and what to do.

TalkragError
├── InputError           a file or field the user gave
│   ├── TranscriptError  a transcript that cannot be parsed
│   └── ManifestError    a sidecar metadata file that cannot be read
├── ConfigError          a setting that cannot work
├── StoreError           Chroma unreachable, locked or corrupted
│   └── IndexMismatch    the index was built with other index-shaping settings
├── ModelError           the embedding model is missing or cannot load
└── LLMError             the OpenAI-compatible LLM endpoint failed
    ├── LLMUnavailable   unreachable, refused the request, or rejected the key
    ├── LLMTimeout       no answer within the timeout
    └── LLMBadResponse   an empty or malformed answer
"""

from __future__ import annotations

from pathlib import Path


class TalkragError(Exception):
    """Base of every error talkrag reports to a user."""


class InputError(TalkragError):
    """A file or field given by the user is wrong."""


class TranscriptError(InputError):
    """A transcript file cannot be parsed; the message names the file."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ManifestError(InputError):
    """A sidecar metadata manifest cannot be read; the message names the file."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ConfigError(TalkragError):
    """A setting cannot work as given."""


class StoreError(TalkragError):
    """The Chroma store cannot be opened, read or written."""


class IndexMismatch(StoreError):
    """The index was built with other index-shaping settings (model, chunk size)."""


class ModelError(TalkragError):
    """The embedding model is missing or cannot be loaded."""


class LLMError(TalkragError):
    """The OpenAI-compatible LLM endpoint failed."""


class LLMUnavailable(LLMError):
    """The endpoint cannot be reached, refused the request, or rejected the key."""


class LLMTimeout(LLMError):
    """The endpoint gave no answer within the timeout."""


class LLMBadResponse(LLMError):
    """The endpoint answered with something empty or malformed."""
