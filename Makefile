# Two commands: `make run` (install, prepare the database, start) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app.py

.PHONY: run test lint format install translations check-translations bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (found " + sys.version.split()[0] + ").")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(FLASK) setup
	@echo "Cookie policy: http://$(HOST):$(PORT)/fr/cookies   Back office: http://$(HOST):$(PORT)/admin/"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	@# axe-core for the browser tests' accessibility checks, where npm is at hand (.ci/run always installs it)
	@if command -v npm >/dev/null 2>&1 && [ ! -d tests/browser/npm/node_modules ]; then npm ci --prefix tests/browser/npm --no-audit --no-fund --loglevel=error; fi
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

translations: $(VENV)/.installed
	$(PY) scripts/i18n.py update
	$(PY) scripts/i18n.py compile

check-translations: $(VENV)/.installed
	$(PY) scripts/i18n.py check

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts tests/browser/npm/node_modules
