# Two commands matter: `make run` (set up, then run the bot on embedded defaults) and
# `make test` (set up, then lint, type-check and run the whole test suite).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup browser run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "forumbot needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)

# Browser tests drive Debian's Chromium through Playwright (no browser download). Installed
# here when missing and we may; otherwise those tests skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	       && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "Chromium is not installed and cannot be installed here: browser tests will be skipped."

run: setup
	$(BIN)/forumbot init
	$(BIN)/forumbot kb ingest config/knowledge
	$(BIN)/forumbot serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint browser
	$(BIN)/pytest

bench: setup
	$(BIN)/forumbot bench send --recipients 10000 --json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
