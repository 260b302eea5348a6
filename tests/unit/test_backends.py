"""Which backend opens an index: the setting for a new one, the recorded one afterwards."""

from __future__ import annotations

import logging

import pytest
from talkrag.ingest.backends import DEFAULT_BACKEND, choose_backend
from talkrag.ingest.errors import ConfigError
from typer.testing import CliRunner

from talkrag.cli import app


def test_a_new_index_takes_the_setting_or_the_default():
    assert choose_backend(None, None, create=True) == DEFAULT_BACKEND
    assert choose_backend("torch", None, create=True) == "torch"


def test_an_existing_index_keeps_its_backend():
    assert choose_backend(None, "torch", create=True) == "torch"
    assert choose_backend(None, "onnx", create=False) == "onnx"


def test_a_query_with_another_setting_uses_the_recorded_backend(caplog):
    with caplog.at_level(logging.WARNING):
        assert choose_backend("torch", "onnx-int8", create=False) == "onnx-int8"
    assert "built with backend onnx-int8" in caplog.text


def test_an_ingest_with_another_setting_asks_for_it_so_the_check_refuses():
    assert choose_backend("torch", "onnx-int8", create=True) == "torch"


def test_an_unknown_backend_is_a_config_error():
    with pytest.raises(ConfigError, match="TALKRAG_BACKEND=tpu"):
        choose_backend("tpu", None, create=True)


def test_the_cli_names_a_bad_backend(tmp_path):
    result = CliRunner().invoke(
        app, ["ingest", str(tmp_path), "--db", str(tmp_path / "db"), "--backend", "tpu"]
    )
    assert result.exit_code == 1
    assert "invalid setting: backend" in result.stderr
