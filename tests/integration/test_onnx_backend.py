"""The ONNX Runtime backends: faithful to sentence-transformers, exported once, fixed per index."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow

SENTENCES = [
    "We shard the vector index by tenant so one customer's load never slows another's.",
    "The first trap is grading the answer without looking at what the retriever returned.",
    "Evals are unit tests for prompts.",
    "So, um, yeah — we moved everything to Postgres and, honestly, it just worked.",
    "token " * 400,  # past the model's limit: cut at 256 word pieces, as sentence-transformers does
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Path:
    """A fresh export cache holding both ONNX files, exported once for the module."""
    from talkrag.ingest.export import onnx_model

    folder = tmp_path_factory.mktemp("cache")
    onnx_model(model_dir, "onnx-int8", folder)  # exports fp32 first, then quantizes it
    return folder


def _onnx(model_dir: Path, backend: str, cache: Path):
    from talkrag.ingest.embed import DEFAULT_MODEL_NAME
    from talkrag.ingest.onnx_embed import OnnxEmbedder

    return OnnxEmbedder(model_dir, DEFAULT_MODEL_NAME, backend, 256, cache_dir=cache)


@pytest.mark.parametrize(("backend", "least"), [("onnx", 0.999), ("onnx-int8", 0.98)])
def test_vectors_match_sentence_transformers(embedder, model_dir, cache, backend, least):
    want = embedder.embed(SENTENCES)
    got = _onnx(model_dir, backend, cache).embed(SENTENCES)
    assert got.shape == want.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    cosine = (got * want).sum(axis=1)
    assert cosine.min() > least, cosine


def test_order_of_texts_is_kept_across_length_sorted_batches(model_dir, cache):
    onnx = _onnx(model_dir, "onnx", cache)
    together = onnx.embed(SENTENCES)
    alone = np.stack([onnx.embed([s])[0] for s in SENTENCES])
    assert ((together * alone).sum(axis=1) > 0.9999).all()


def test_int8_runs_side_by_side_give_each_text_its_own_vector(model_dir, cache):
    from talkrag.ingest.backends import make_embedder
    from talkrag.ingest.embed import DEFAULT_MODEL_NAME

    texts = [f"{s} (variant {i})" for i in range(3) for s in SENTENCES[:4]]
    side_by_side = make_embedder(model_dir, DEFAULT_MODEL_NAME, "onnx-int8", 256, 64, cache)
    side_by_side.embed(["warm"])
    assert side_by_side._pool is None  # a query never starts the side-by-side runs
    together = side_by_side.embed(texts)
    assert side_by_side._pool is not None  # the path under test was taken
    alone = np.stack([_onnx(model_dir, "onnx-int8", cache).embed([t])[0] for t in texts])
    assert ((together * alone).sum(axis=1) > 0.99999).all()


def test_export_is_made_once_and_written_whole(model_dir, cache):
    from talkrag.ingest.export import onnx_model

    first = onnx_model(model_dir, "onnx-int8", cache)
    stamp = first.stat().st_mtime_ns
    again = onnx_model(model_dir, "onnx-int8", cache)
    assert again == first
    assert again.stat().st_mtime_ns == stamp  # reused, not exported again
    files = sorted(p.name for p in (cache / "onnx").iterdir())
    assert len(files) == 2, files  # fp32 and int8; no temporary file left behind
    assert not any(name.startswith(".") for name in files)
    assert first.stat().st_size < onnx_model(model_dir, "onnx", cache).stat().st_size / 3


def test_cache_key_changes_with_the_model_files(model_dir, tmp_path):
    from talkrag.ingest.export import cache_key

    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    before = cache_key(copy, "onnx")
    assert cache_key(copy, "onnx-int8") != before
    (copy / "config.json").write_text((copy / "config.json").read_text() + "\n")
    assert cache_key(copy, "onnx") != before


def test_unknown_backend_and_broken_export_are_model_errors(model_dir, tmp_path):
    from talkrag.ingest.errors import ModelError
    from talkrag.ingest.export import onnx_model
    from talkrag.ingest.onnx_embed import _session

    with pytest.raises(ModelError, match="no ONNX export"):
        onnx_model(model_dir, "tensorflow", tmp_path)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="delete it to re-export"):
        _session(broken)


# ---- the backend is part of the index ----


def _settings(db: Path, **values):
    from talkrag.ingest.settings import IngestSettings

    return IngestSettings(db=db, **values)


@pytest.fixture(scope="module")
def int8_db(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> Path:
    """The sample transcripts ingested with the int8 backend."""
    from talkrag.ingest.index import run_ingest

    db = tmp_path_factory.mktemp("int8") / "db"
    report = run_ingest(_settings(db, backend="onnx-int8", cache=cache), [SAMPLES], [])
    assert report.chunks_added > 0
    assert not report.failed
    return db


def test_queries_use_the_backend_the_index_records(int8_db, cache):
    from talkrag.ingest.index import open_index

    index = open_index(_settings(int8_db, backend="torch", cache=cache), create=False)
    assert index.store.fingerprint["talkrag:backend"] == "onnx-int8"
    assert getattr(index.embedder, "backend", None) == "onnx-int8"


def test_ingest_with_another_backend_is_refused(int8_db, cache):
    from talkrag.ingest.errors import IndexMismatch
    from talkrag.ingest.index import open_index

    with pytest.raises(IndexMismatch, match="--rebuild"):
        open_index(_settings(int8_db, backend="onnx", cache=cache))
    rebuilt = open_index(_settings(int8_db.parent / "copy", backend="onnx", cache=cache))
    assert rebuilt.store.fingerprint["talkrag:backend"] == "onnx"


def test_an_index_without_a_backend_key_was_built_by_torch(tmp_path, model_dir):
    import chromadb
    from talkrag.ingest.chunk import CHUNKER_VERSION
    from talkrag.ingest.embed import DEFAULT_MODEL_NAME, SentenceTransformerEmbedder
    from talkrag.ingest.index import open_index

    old = {  # the fingerprint indexes carried before backends existed
        "hnsw:space": "cosine",
        "talkrag:model": DEFAULT_MODEL_NAME,
        "talkrag:max_tokens": 256,
        "talkrag:overlap_tokens": 48,
        "talkrag:chunker": CHUNKER_VERSION,
    }
    client = chromadb.PersistentClient(path=str(tmp_path / "db"))
    client.create_collection("talkrag-chunks", embedding_function=None, metadata=old)
    del client
    index = open_index(_settings(tmp_path / "db"), create=False)
    assert isinstance(index.embedder, SentenceTransformerEmbedder)
    assert index.store.fingerprint["talkrag:backend"] == "torch"


_QUERY = """
import json, sys
from talkrag.cli import app
try:
    app(["search", "how do you shard by tenant", "--db", sys.argv[1], "--json"])
except SystemExit:
    pass
heavy = ("torch", "sentence_transformers", "transformers")
print(json.dumps({"heavy": [m for m in heavy if m in sys.modules]}))
"""


def test_a_query_on_an_onnx_index_never_imports_torch(int8_db, cache):
    env = {"PATH": "", "HF_HUB_OFFLINE": "1", "TALKRAG_CACHE": str(cache), "HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _QUERY, str(int8_db)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert json.loads(lines[0])["results"], lines[0]  # the search really ran
    assert json.loads(lines[-1]) == {"heavy": []}


def test_torch_bf16_vectors_are_unit_and_close_to_fp32(embedder, model_dir):
    from talkrag.ingest.backends import make_embedder
    from talkrag.ingest.embed import DEFAULT_MODEL_NAME

    got = make_embedder(model_dir, DEFAULT_MODEL_NAME, "torch-bf16", 256, 8).embed(SENTENCES)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert ((got * embedder.embed(SENTENCES)).sum(axis=1) > 0.99).all()
