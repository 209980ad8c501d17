# stakemap: `make run` sets up and runs on the embedded SQLite default; `make test` runs the tests.
# Installs come from requirements.lock (exact versions); `make lock` re-resolves it (see README).
PYTHON ?= python3
VENV ?= .venv
LOCK = requirements.lock
UV_VERSION = 0.13.9
LOCK_TARGET = --python-version 3.11 --python-platform x86_64-unknown-linux-gnu

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r $(LOCK)
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

.PHONY: run test lint lock
run: $(VENV)/.installed
	$(VENV)/bin/stakemap start

test: $(VENV)/.installed
	$(VENV)/bin/pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check app handlers blocks tests benchmarks
	$(VENV)/bin/lint-imports

# Re-resolve every dependency to the newest version pyproject.toml allows (Python 3.11, Linux x86_64),
# with uv from a throwaway tool environment; review the diff, run `make test`, commit requirements.lock.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet uv==$(UV_VERSION)
	.venv-lock/bin/uv pip compile pyproject.toml --extra test $(LOCK_TARGET) --upgrade --quiet -o $(LOCK)
