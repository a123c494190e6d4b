# The README's two commands: `make run` and `make test`. Everything else is a helper.
# Logic lives in scripts/; every target is safe to run again.
.DEFAULT_GOAL := run
.PHONY: help run test check lint setup setup-dev setup-test bench clean

help:
	@echo "make run         set up (if needed), seed demo data into an empty store, serve http://localhost:8501"
	@echo "                 with its worker process (PORT=, ADDRESS=, WORKERS= to change them)"
	@echo "make test        set up with test tools and system packages, then lint, types, layers and the whole suite"
	@echo "make check       the fast loop (about a minute): lint, types, layers, tests without browser, PostgreSQL or real models"
	@echo "make setup       .venv + pinned packages, offline Whisper model, voice encoder, openvidu-browser bundle"
	@echo "make setup-test  setup + dev packages + Debian packages for tests (chromium, espeak-ng, sox, postgresql)"
	@echo "make bench       run bench/*.py (timed thresholds live there, not in tests)"
	@echo "make clean       remove .venv, node_modules, models, vendored JS and test artifacts (not data/)"

setup:
	@bash scripts/setup.sh

setup-dev:
	@bash scripts/setup.sh --dev

setup-test:
	@bash scripts/install_test_system_deps.sh
	@bash scripts/setup.sh --dev

# ruff (format and lint), mypy (types; strict for domain and services), import-linter (the layers contract).
lint:
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/lint-imports

check: setup-dev lint
	.venv/bin/python -m pytest -q -m "not browser and not postgres and not slow"

# PORT and ADDRESS: `make run PORT=8600 ADDRESS=0.0.0.0` (the default listens on this machine only).
PORT ?= 8501
ADDRESS ?= 127.0.0.1
WORKERS ?= 1

run: setup
	.venv/bin/python -m visio_core seed-demo
	.venv/bin/python -m visio_core serve --port $(PORT) --address $(ADDRESS) --workers $(WORKERS)

test: setup-test lint
	.venv/bin/python -m pytest --durations=25

bench: setup-dev
	@for script in bench/*.py; do echo "== $$script"; .venv/bin/python $$script || exit 1; done

clean:
	rm -rf .venv node_modules models visio_core/entrypoints/assets/*.js .pytest_cache test-artifacts
