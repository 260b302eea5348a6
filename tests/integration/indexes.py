"""Read a whole index back in a fresh process, so tests compare what is really on disk."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

_SNAPSHOT = r"""
import json, sys, chromadb
client = chromadb.PersistentClient(path=sys.argv[1])
out = {}
for name in ("talkrag-chunks", "talkrag-files"):
    got = client.get_collection(name).get(include=["documents", "metadatas", "embeddings"])
    rows = []
    for i, id_ in enumerate(got["ids"]):
        vec = got["embeddings"][i]
        rows.append([id_, got["documents"][i], got["metadatas"][i], [float(x) for x in vec]])
    out[name] = sorted(rows, key=lambda r: r[0])
print(json.dumps(out, sort_keys=True))
"""


def snapshot(db: Path) -> dict[str, list[list[object]]]:
    """Every chunk and file record (id, text, metadata, vector) of the index at db."""
    done = subprocess.run(
        [sys.executable, "-c", _SNAPSHOT, str(db)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def assert_same_index(got: dict, want: dict) -> None:
    """Same ids, texts and metadata; vectors equal up to float noise from batch padding."""
    import numpy as np

    for name, rows in want.items():
        assert [r[:3] for r in got[name]] == [r[:3] for r in rows], name
        for a, b in zip(got[name], rows, strict=True):
            assert float(np.dot(a[3], b[3])) > 0.9999 or name.endswith("files"), a[0]


TOPICS = ["retrieval", "evaluation", "latency", "caching", "agents", "fine-tuning", "tokenizers"]


def write_library(folder: Path, n_files: int = 16) -> None:
    """Deterministic SRT talks, so a test needs no corpus."""
    rng = random.Random(7)
    folder.mkdir()
    for f in range(n_files):
        cues = []
        for i in range(60):
            topic, other = rng.sample(TOPICS, 2)
            text = (
                f"In talk {f} point {i} we compared {topic} with {other} and measured "
                f"{rng.randint(2, 900)} milliseconds on {rng.randint(1, 64)} machines."
            )
            start = i * 5
            cues.append(
                f"{i + 1}\n00:{start // 60:02d}:{start % 60:02d},000 --> "
                f"00:{(start + 4) // 60:02d}:{(start + 4) % 60:02d},500\n{text}\n"
            )
        (folder / f"talk-{f:02d}.srt").write_text("\n".join(cues))


def ingest_cmd(library: Path, db: Path) -> list[str]:
    """`talkrag ingest library --db db -v` as a subprocess command line."""
    return [sys.executable, "-m", "talkrag", "ingest", str(library), "--db", str(db), "-v"]


def ingest_env() -> dict[str, str]:
    """The environment for an ingest subprocess."""
    # Small embedding groups, so writes and embedding interleave and kills land everywhere.
    return {**os.environ, "TALKRAG_EMBED_GROUP": "8", "HF_HUB_OFFLINE": "1"}
