"""API fixtures: one real index and one real `talkrag serve` process for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.api.server import Server, build_index, start_server


@pytest.fixture(scope="session")
def api_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples plus hostile fixtures, ingested once by the CLI in its own process."""
    return build_index(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="session")
def server(api_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """`talkrag serve` over api_db, no API key, on loopback."""
    running = start_server(api_db, tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    running.stop()


@pytest.fixture
def url(server: Server) -> str:
    """The running server's base URL."""
    return server.url


@pytest.fixture
def api(server: Server):
    """An httpx client on the server; patient, since the machine is shared and busy."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=120) as client:
        yield client
