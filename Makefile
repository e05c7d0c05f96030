# Quick start: `make run` (set up, index corpus/, start the app) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LLM_STAMP := $(VENV)/.installed-llm
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install install-llm install-browser setup run index app test test-fast bench eval figures clean

install: $(STAMP)

# torch first, pinned to the CPU build this machine offers (never a CUDA build)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV))
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# llama-cpp-python compiles once (about 6 minutes on 2 cores; needs a C++ compiler); pip's wheel cache keeps it
install-llm: $(LLM_STAMP)
$(LLM_STAMP): $(STAMP)
	@command -v g++ >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null)
	$(BIN)/python -m pip install -q -e '.[llm]'
	touch $(LLM_STAMP)

# Debian's Chromium for browser tests (no browser download; the tests drive /usr/bin/chromium)
install-browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# everything the whole suite needs: the venv with .[dev] and .[llm], and Chromium
setup: install install-llm install-browser

index: install
	$(BIN)/python -m assistant index --rebuild-if-model-changed || [ $$? -eq 3 ]

run: index
	$(BIN)/python app.py

app: install
	$(BIN)/python app.py

# the whole suite, set-up included; it ends with a line counting skipped tests (tests/conftest.py)
test: setup
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not integration and not slow"

bench: install
	$(BIN)/python benchmarks/bench.py

# each area, test and dev side by side (thresholds are checked on test)
eval: index
	$(BIN)/python -m assistant eval retrieval
	$(BIN)/python -m assistant eval guardrails
	-$(BIN)/python -m assistant eval answers

# re-measure every headline figure and record it (evals/figures.json, the table in docs/evals.md)
figures: index
	$(BIN)/python -m assistant eval all --record --out reports/figures

clean:
	rm -rf .assistant .pytest_cache
