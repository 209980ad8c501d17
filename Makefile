# stakemap: `make run` sets up and runs on the embedded SQLite default; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

.PHONY: run test lint
run: $(VENV)/.installed
	$(VENV)/bin/stakemap start

test: $(VENV)/.installed
	$(VENV)/bin/pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check app handlers blocks tests benchmarks
