# Two commands for a newcomer: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck pytest bench bench-chat bench-first-turn clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project metadata changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/topllantas serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The browser tests drive Debian's chromium through Playwright (its own download cannot work here).
pytest: $(VENV)/.installed-dev
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/api_latency.py

# Chat turns over HTTP, open loop at 30 turns/s and closed loop (a few minutes).
bench-chat: $(VENV)/.installed-dev
	$(BIN)/python bench/chat_latency.py

# `make run` on a fresh clone: time to ready and the first customer's turn.
bench-first-turn: $(VENV)/.installed-dev
	$(BIN)/python bench/first_turn.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
