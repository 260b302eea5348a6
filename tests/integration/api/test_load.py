"""A bounded load on the real server: no errors, and memory that levels off (figures: bench/)."""

from __future__ import annotations

import pytest

from bench.load import rss_kib, run_load
from tests.integration.api.server import Server

pytestmark = pytest.mark.slow

ROUNDS, REQUESTS, CONCURRENCY = 4, 60, 10
GROWTH_KIB = 96 * 1024  # generous: allocator noise, not a leak per request


def test_load_has_no_errors_and_memory_levels_off(server: Server):
    after = []
    for _ in range(ROUNDS):
        report = run_load(server.url, REQUESTS, CONCURRENCY, server.proc.pid)
        assert report.errors == []
        assert len(report.latencies) == REQUESTS
        after.append(rss_kib(server.proc.pid))
    # the first round warms caches and thread pools; later rounds must not keep adding memory
    assert after[-1] - after[0] < GROWTH_KIB, after
