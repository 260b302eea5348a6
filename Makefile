# talkrag: the README's two commands are `make quickstart` and `make test`.
# Import layers are checked by tests/unit/test_layers.py.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup quickstart test test-fast lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel on this disk; unpinned, pip fetches a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

quickstart: setup
	$(BIN)/talkrag ingest transcripts/
	$(BIN)/talkrag talks
	$(BIN)/talkrag search "how should you evaluate a RAG pipeline?" -k 3

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not slow"

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .talkrag .bench
