# hate-monitor: `make run` sets everything up and starts the service; `make test` sets everything
# up and runs lint, the import layers, types and the whole test suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: install run test lint imports typecheck pytest test-postgres browser bench train clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of PyTorch first, pinned, so nothing later can pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

config.toml:
	cp config.example.toml config.toml
	@echo "created config.toml from config.example.toml"

run: install config.toml
	$(BIN)/hate-monitor --config config.toml serve

# Debian's Chromium for the end-to-end tests (browser downloads do not work offline).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "e2e tests need Debian's chromium: sudo apt-get install chromium"; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .

# The layer contract in pyproject.toml ([tool.importlinter]; docs/ARCHITECTURE.md).
imports: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

pytest: install browser
	$(BIN)/python -m pytest -q -ra

test: lint imports typecheck pytest

# The storage, pipeline, scheduling and multi-worker tests again, against PostgreSQL (a fresh
# database per test).
test-postgres: install
	HATE_MONITOR_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q -ra \
	  tests/monitor/storage tests/monitor/ingest tests/monitor/sweeps tests/monitor/ops \
	  tests/monitor/alerts tests/monitor/reporting tests/monitor/cli tests/monitor/test_config.py

bench: install
	$(BIN)/python bench/bench_pipeline.py

train: install
	$(BIN)/hate-monitor train

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
