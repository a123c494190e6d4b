# The README's two commands: `make run` and `make test`. Everything else is a helper.
# Logic lives in scripts/; every target is safe to run again.
.DEFAULT_GOAL := run
.PHONY: help run test setup setup-test bench clean

help:
	@echo "make run         set up (if needed), seed demo data into an empty store, serve http://localhost:8501"
	@echo "make test        set up with test tools and system packages, then run pytest"
	@echo "make setup       .venv + pinned packages, offline Whisper model, openvidu-browser bundle"
	@echo "make setup-test  setup + dev packages + Debian packages for tests (chromium, espeak-ng, sox, postgresql)"
	@echo "make bench       run bench/*.py (timed thresholds live there, not in tests)"
	@echo "make clean       remove .venv, node_modules, models, vendored JS and test artifacts (not data/)"

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/install_test_system_deps.sh
	@bash scripts/setup.sh --dev

run: setup
	.venv/bin/python -m visio_core seed-demo
	.venv/bin/streamlit run app.py --server.port 8501 --server.headless true

test: setup-test
	.venv/bin/python -m pytest

bench: setup
	@for script in bench/*.py; do echo "== $$script"; .venv/bin/python $$script || exit 1; done

clean:
	rm -rf .venv node_modules models visio_core/entrypoints/assets/*.js .pytest_cache test-artifacts
