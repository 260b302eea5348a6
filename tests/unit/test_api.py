"""API logic without a server: key parsing and constant-time compare, field names, the
embedding cache, the exposure rules of `talkrag serve`, and the OpenAI request shapes."""

from __future__ import annotations

import hmac

import numpy as np
import pytest
from talkrag.api import auth
from talkrag.api.errors import field_name, status_of
from talkrag.api.live import SerialEmbedder
from talkrag.api.openai_compat import CompletionRequest
from talkrag.api.serve import exposure_warning
from talkrag.api.service import pieces
from talkrag.api.settings import ApiSettings, is_loopback
from talkrag.ingest.errors import (
    IndexMismatch,
    LLMBadResponse,
    LLMTimeout,
    ModelError,
    TranscriptError,
)
from typer.testing import CliRunner

from talkrag.cli import app

EVERYWHERE = "0.0.0.0"  # noqa: S104  (what the tests check is refused)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("", None),
        (None, None),
    ],
)
def test_presented_key(header, key):
    assert auth.presented_key(header) == key


def test_keys_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.key_matches("k1", "k1")
    assert not auth.key_matches("k2", "k1")
    assert not auth.key_matches(None, "k1")
    assert calls == [(b"k1", b"k1"), (b"k2", b"k1")]


@pytest.mark.parametrize(
    ("loc", "name"),
    [
        (("body", "question"), "question"),
        (("body", "messages", 0, "content"), "messages.0.content"),
        (("body",), "body"),
        (("query", "k"), "k"),
    ],
)
def test_field_name(loc, name):
    assert field_name(loc) == name


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (TranscriptError("a.srt", "bad"), 422),
        (IndexMismatch("other model"), 503),
        (LLMTimeout("slow"), 504),
        (LLMBadResponse("empty"), 502),
        (ModelError("missing"), 500),
    ],
)
def test_status_of_errors(exc, code):
    assert status_of(exc)[0] == code


class CountingEmbedder:
    name = "counting"

    def __init__(self):
        self.seen: list[str] = []

    def load(self) -> None:
        pass

    def embed(self, texts):
        self.seen.extend(texts)
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)


def test_serial_embedder_caches_by_text_and_stays_bounded():
    inner = CountingEmbedder()
    cached = SerialEmbedder(inner, cached=3)
    first = cached.embed(["a", "bb", "a"])
    assert first.tolist() == [[1.0, 1.0], [2.0, 1.0], [1.0, 1.0]]
    assert inner.seen == ["a", "bb"]
    cached.embed(["bb", "ccc", "dddd"])  # "a" is now the least recently used: out
    assert inner.seen == ["a", "bb", "ccc", "dddd"]
    cached.embed(["a"])
    assert inner.seen[-1] == "a"
    assert cached.embed([]).shape[0] == 0


def test_pieces_rebuild_the_text():
    text = "One two three four five.\n\nSources:\n[1] T — S @ 01:02"
    parts = list(pieces(text))
    assert len(parts) > 2
    assert "".join(parts) == text


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        (EVERYWHERE, False),
        ("10.0.0.5", False),
    ],
)
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_exposure_warning():
    assert "only" in exposure_warning(ApiSettings(host="127.0.0.1"))
    assert "anyone" in exposure_warning(ApiSettings(host=EVERYWHERE))
    assert exposure_warning(ApiSettings(host=EVERYWHERE, api_key="k")) is None


def test_serve_refuses_an_open_interface_without_a_key(tmp_path):
    result = CliRunner().invoke(app, ["serve", "--host", EVERYWHERE, "--db", str(tmp_path)])
    assert result.exit_code == 1
    assert "without TALKRAG_API_KEY" in result.output


def test_completion_request_reads_mode_from_model_and_text_parts():
    body = CompletionRequest.model_validate(
        {
            "model": "talkrag-llm",
            "temperature": 0.1,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "why?"}]}],
        }
    )
    assert body.mode() == "llm"
    assert (
        CompletionRequest.model_validate({"messages": [{"role": "user", "content": "q"}]}).mode()
        is None
    )


def test_the_cli_cold_path_imports_no_server_stack():
    import subprocess
    import sys

    code = "import sys, talkrag.cli; print(sorted({'fastapi', 'uvicorn'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
