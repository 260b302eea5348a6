"""Read a whole index back in a fresh process, so tests compare what is really on disk."""

from __future__ import annotations

import json
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
