"""Every chunk's text and metadata by row: what ranking, neighbours and filters read in process.

Chroma holds the same rows; this copy is kept beside BM25 (saved with it, one generation) so a
query never asks Chroma for texts or metadata.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from talkrag.ingest.store import StoredChunk, stored_chunk


@dataclass
class Rows:
    """Chunk ids, texts and metadata in one order (a row number indexes all three)."""

    ids: list[str]
    texts: list[str]
    metas: list[dict[str, Any]]
    row_of: dict[str, int] = field(init=False)
    _places: dict[tuple[str, int], int] = field(init=False)
    _by_talk: dict[str, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.row_of = {cid: i for i, cid in enumerate(self.ids)}
        self._places = {
            (m["talk_id"], int(m.get("position", 0))): i for i, m in enumerate(self.metas)
        }
        self._by_talk = {}
        for (talk_id, _), row in sorted(self._places.items()):
            self._by_talk.setdefault(talk_id, []).append(row)

    def __len__(self) -> int:
        return len(self.ids)

    def at(self, talk_id: str, position: int) -> int | None:
        """The row of a talk's chunk at a position, if there is one."""
        return self._places.get((talk_id, position))

    def meta(self, chunk_id: str) -> dict[str, Any]:
        """The metadata of one chunk, by id."""
        return self.metas[self.row_of[chunk_id]]

    def beside(self, chunk_id: str) -> tuple[int | None, int | None]:
        """The rows of the chunks just before and after one chunk in its talk."""
        meta = self.meta(chunk_id)
        position = int(meta.get("position", 0))
        return self.at(meta["talk_id"], position - 1), self.at(meta["talk_id"], position + 1)

    def chunk(self, row: int) -> StoredChunk:
        """The stored chunk at a row, as the index returns chunks."""
        return stored_chunk(self.ids[row], self.texts[row], self.metas[row])

    def of_talk(self, talk_id: str) -> list[int]:
        """A talk's rows in transcript order."""
        return list(self._by_talk.get(talk_id, []))

    def of_talks(self, talk_ids: Iterable[str]) -> np.ndarray:
        """A mask of the rows of these talks."""
        mask = np.zeros(len(self.ids), dtype=bool)
        for talk_id in talk_ids:
            mask[self._by_talk.get(talk_id, [])] = True
        return mask

    def talk_count(self) -> int:
        """How many talks the rows come from."""
        return len(self._by_talk)
