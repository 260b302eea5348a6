"""QMSum validation: span recall@k and MRR@10 of talkrag's retrieval beside plain dense top-k.

python -m bench.qmsum [--meetings N] [--db DIR]   (ingests the meetings into DIR first)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from talkrag.evals.metrics import mean_scores
from talkrag.evals.qmsum import queries, span_scores, write_meetings
from talkrag.ingest.index import run_ingest
from talkrag.ingest.settings import IngestSettings
from talkrag.rag.models import Filters
from talkrag.rag.retrieve import open_retriever

REPO = Path(__file__).resolve().parents[1]
QMSUM = REPO.parent / "shared" / "benchmarks" / "qmsum" / "val.jsonl"


def main() -> None:
    """Ingest the meetings, then score both retrievals on every specific query."""
    parser = argparse.ArgumentParser(prog="python -m bench.qmsum", description=__doc__)
    parser.add_argument("--qmsum", type=Path, default=QMSUM)
    parser.add_argument("--db", type=Path, default=REPO / ".bench" / "qmsum-db")
    parser.add_argument("--meetings", type=int, default=None, help="first N meetings only")
    args = parser.parse_args()
    if not args.qmsum.is_file():
        print(f"skipped: QMSum not found at {args.qmsum}")
        sys.exit(0)
    turns = write_meetings(args.qmsum, args.db.parent / "qmsum-meetings", args.meetings)
    settings = IngestSettings(db=args.db)
    began = time.perf_counter()
    report = run_ingest(settings, [args.db.parent / "qmsum-meetings"], [])
    print(f"ingest: {report.chunks_added} chunks added in {time.perf_counter() - began:.0f} s")
    retriever = open_retriever(settings)
    project, dense = [], []
    for q in queries(args.qmsum, turns):
        hits = retriever.search(q.text, 10, Filters(talk=q.meeting))
        project.append(span_scores(q, [h.text for h in hits], turns[q.meeting]))
        vector = retriever.embedder.embed([q.text])[0]
        near = retriever.store.query(vector, 10, where={"talk_id": q.meeting})
        dense.append(span_scores(q, [c.text for c in near], turns[q.meeting]))
    rows = {"talkrag hybrid": mean_scores(project), "dense top-k": mean_scores(dense)}
    print(json.dumps({"queries": len(project), "meetings": len(turns), **rows}, indent=1))


if __name__ == "__main__":
    main()
