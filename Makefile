# talkrag: the README's two commands are `make quickstart` and `make test`.
# Import layers are checked by tests/unit/test_layers.py.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: core setup quickstart test test-fast lint bench bench-index bench-dev bench-queries eval-dev bench-qmsum bench-scale bench-moments clean

# What the main job needs (ingest, search, ask, serve): no test tools, no llama.cpp build.
$(BIN)/.core: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel on this disk; unpinned, pip fetches a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

# Then the test extras: ruff, pytest, Playwright, and llama.cpp's server (a one-time build).
$(BIN)/.installed: $(BIN)/.core
	$(BIN)/pip install --quiet -e '.[dev,llm-test]'
	touch $@

core: $(BIN)/.core
setup: $(BIN)/.installed

quickstart: core
	$(BIN)/talkrag ingest transcripts/
	$(BIN)/talkrag talks
	$(BIN)/talkrag ask "What is the first trap when people evaluate retrieval?"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not slow"

bench: setup
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

CORPUS := ../shared/corpus
bench-index: setup
	mkdir -p .bench
	$(BIN)/python scripts/aiewf_manifest.py $(CORPUS)/aiewf2026/metadata > .bench/aiewf2026.jsonl
	$(BIN)/talkrag ingest $(CORPUS)/aiewf2026/transcripts $(CORPUS)/aiewf2026/transcripts-raw \
		$(CORPUS)/practical-ai --metadata .bench/aiewf2026.jsonl --db .bench/corpus-db

bench-dev: bench-index
	$(BIN)/python -m bench.devset --db .bench/corpus-db

bench-queries: bench-index
	$(BIN)/python -m bench.queries --db .bench/corpus-db

eval-dev: bench-index
	$(BIN)/talkrag eval evals/datasets/dev.jsonl --db .bench/corpus-db --corpus $(CORPUS) --out .bench/eval-dev

bench-qmsum: setup
	$(BIN)/python -m bench.qmsum --db .bench/qmsum-db

# ~40 min and ~12 GB of disk for 1M chunks; niced, as the machine is shared. docs/scale.md.
SCALE_SIZES ?= 100000 1000000
bench-moments: setup
	$(BIN)/python -m bench.moments

bench-scale: setup
	nice -n 10 $(BIN)/python -m bench.scale --sizes $(SCALE_SIZES)

clean:
	rm -rf $(VENV) .talkrag .bench
