# The commands the README names. Every target creates the virtual environment if it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := portal:create_app

.PHONY: demo test test-browser lint format bench install audit constraints frontend

# Installs the versions the tests last passed with (constraints.txt), so a fresh machine and CI
# get the same ones; `make constraints` moves them on within pyproject.toml's ranges.
$(BIN)/flask: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
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

## Check the pinned versions against PyPI's vulnerability data (skipped when it is unreachable).
audit: install
	bash scripts/audit.sh

## Re-pin every dependency to the newest versions pyproject.toml allows, in a fresh environment.
constraints:
	rm -rf .constraints-venv && $(PYTHON) -m venv .constraints-venv
	.constraints-venv/bin/pip install --quiet --upgrade pip
	.constraints-venv/bin/pip install --quiet '.[test]' 'pip-audit>=2.7,<3'
	( echo "# The versions the tests passed with; made by 'make constraints', read by 'make install'."; \
	  .constraints-venv/bin/pip freeze --exclude-editable | grep -v '^mentoring-portal' ) > constraints.txt
	rm -rf .constraints-venv build *.egg-info

bench: install
	$(BIN)/python bench/run.py

## Rebuild GOV.UK Frontend's files in static/vendor/govuk-frontend from the npm packages pinned
## in frontend/ (needs Node and npm; npm ci checks each package against the lock file's hash).
frontend:
	bash scripts/frontend.sh
