"""Talks ingested by another process while the server runs answer without a restart, and
questions asked during that ingest keep being answered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.api.server import clean_env

pytestmark = pytest.mark.slow

QUESTION = "Why did the orchard team move its soil moisture sensors to LoRa radios?"
TALK = """---
title: "Listening to Orchards {n}"
speakers: [Ines Okafor]
---

Ines Okafor: [00:05] Our orchard in block {n} has four hundred soil moisture sensors.

Ines Okafor: [00:40] We moved the soil moisture sensors to LoRa radios because wifi never
reached the far rows, and a LoRa gateway covers the whole orchard on one battery for a year.

Ines Okafor: [01:30] Irrigation now starts only when three neighbouring sensors agree the soil
is dry, which cut our water use by a third.
"""


def _cited_talks(api, question: str) -> set[str]:
    r = api.post("/v1/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return {c["title"] for c in r.json()["citations"]}


def test_new_talks_answer_without_restart_and_reads_go_on_meanwhile(api, api_db, tmp_path: Path):
    assert not any("Orchards" in t for t in _cited_talks(api, QUESTION))
    talks_before = api.get("/health").json()["talks"]
    folder = tmp_path / "new"
    folder.mkdir()
    for n in range(1, 4):
        (folder / f"orchard-{n}.md").write_text(TALK.format(n=n))
    ingest = subprocess.Popen(
        [sys.executable, "-m", "talkrag", "ingest", str(folder), "--db", str(api_db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    during = []
    while ingest.poll() is None:  # ask while the other process writes
        r = api.post("/v1/ask", json={"question": "Why shard a vector index by tenant?"})
        during.append((r.status_code, r.text[:200]))
    _, err = ingest.communicate()
    assert ingest.returncode == 0, err
    assert during, "the ingest finished before any question was asked"
    assert [s for s, _ in during if s != 200] == [], during
    assert any("Orchards" in t for t in _cited_talks(api, QUESTION))
    assert api.get("/health").json()["talks"] == talks_before + 3
    ids = {t["talk_id"] for t in api.get("/v1/talks").json()["talks"]}
    assert {"orchard-1", "orchard-2", "orchard-3"} <= ids


def test_a_server_started_before_any_ingest_says_so_then_answers(tmp_path: Path):
    import httpx

    from tests.conftest import SAMPLES
    from tests.integration.api.server import start_server, talkrag

    db = tmp_path / "db"
    server = start_server(db, tmp_path / "server.log")
    try:
        with httpx.Client(base_url=server.url, timeout=120) as api:
            assert api.get("/health").json()["status"] == "no_index"
            question = {"question": "Why did sharding by document id make queries slow?"}
            for path, body in [
                ("/v1/ask", question),
                ("/v1/chat", {"messages": [{"role": "user", "content": question["question"]}]}),
            ]:
                r = api.post(path, json=body)
                assert r.status_code == 503, r.text
                assert "talkrag ingest" in r.json()["error"]["message"]
            done = talkrag("ingest", str(SAMPLES / "vector-database-sharding.vtt"), "--db", str(db))
            assert done.returncode == 0, done.stderr
            r = api.post("/v1/ask", json=question)
            assert r.status_code == 200, r.text
            assert r.json()["citations"]
    finally:
        server.stop()
