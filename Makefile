# The commands the README names. Every target creates the virtual environment if it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := portal:create_app

.PHONY: demo test test-browser lint format bench install

$(BIN)/flask: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/flask

install: $(BIN)/flask

## Start the portal on http://localhost:5000 with demo data, on SQLite, with the local mailbox.
## Development is named here on purpose: without PORTAL_ENV the portal applies production rules.
demo: export PORTAL_ENV = development
demo: install
	HTMX_SOURCE=$${HTMX_SOURCE:-vendored} $(BIN)/flask db upgrade
	$(BIN)/flask schemes load
	$(BIN)/flask demo seed
	HTMX_SOURCE=$${HTMX_SOURCE:-vendored} $(BIN)/flask run --port 5000

## Run the whole test suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set.
test: install
	bash scripts/test.sh

## Only the browser tests (Debian's chromium), e.g. while working on pages.
test-browser: install
	$(BIN)/pytest tests/browser -q

lint: install
	$(BIN)/ruff check portal tests bench

format: install
	$(BIN)/ruff format portal tests bench

bench: install
	$(BIN)/python bench/run.py
