# The README's two commands: `make run` and `make test`. Everything else is a helper.
.DEFAULT_GOAL := run
.PHONY: run test setup setup-test bench clean

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/install_test_system_deps.sh
	@bash scripts/setup.sh --dev

run: setup
	@.venv/bin/python -m visio_core seed-demo
	.venv/bin/streamlit run app.py --server.port 8501 --server.headless true

test: setup-test
	.venv/bin/python -m pytest

bench: setup
	@for script in bench/*.py; do echo "== $$script"; .venv/bin/python $$script || exit 1; done

clean:
	rm -rf .venv node_modules models visio_core/components/openvidu_room/vendor .pytest_cache test-artifacts
