# VetriSys: `make run` starts the demo clinic, `make test` runs every check CI runs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/vetrisys
SOURCES := vetrisys tests conftest.py

.DEFAULT_GOAL := help
.PHONY: help run test lint typecheck check-migrations check-deploy security audit-deps test-sqlite test-postgres lock

help:
	@echo "make run    install (first time), load the demo clinic and serve it on http://$(HOST):$(PORT)/"
	@echo "make test   lint, types, migrations, deploy check, tests on SQLite and on PostgreSQL"
	@echo "make lock   regenerate requirements.lock and requirements-dev.lock from pyproject.toml"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when the locks or the package metadata change.
$(VENV)/.installed-runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@ $(VENV)/.installed-runtime

run: $(VENV)/.installed-runtime
	$(BIN)/vetrisys demo
	$(BIN)/vetrisys serve --host $(HOST) --port $(PORT)

test: lint typecheck check-migrations check-deploy security test-sqlite test-postgres
	@echo "make test: all checks passed"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy vetrisys

check-migrations: $(VENV)/.installed-dev
	env -u DATABASE_URL -u REDIS_URL $(BIN)/vetrisys makemigrations --check --dry-run

# The production settings pass Django's deploy checklist (nothing connects to the database).
check-deploy: $(VENV)/.installed-dev
	env -u DEBUG -u REDIS_URL -u SECRET_KEY_FILE \
		SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ENCRYPTION_KEYS="k1:$$($(BIN)/python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
		ENCRYPTION_HASH_KEY="$$($(BIN)/python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
		ALLOWED_HOSTS=clinic.example.pe HTTPS=true DATABASE_URL=$(TEST_POSTGRES_URL) \
		$(BIN)/vetrisys check --deploy --fail-level WARNING

# bandit over the package (accepted findings: tests/security/bandit-baseline.json, justified in
# docs/security-findings.md).
security: $(VENV)/.installed-dev
	$(BIN)/bandit -q -r vetrisys -c pyproject.toml -b tests/security/bandit-baseline.json

# The locked dependencies against PyPI's advisory data (needs PyPI's JSON API or api.osv.dev).
audit-deps: $(VENV)/.installed-dev
	$(BIN)/pip-audit --strict -r requirements.lock

test-sqlite: $(VENV)/.installed-dev
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -n $(PYTEST_WORKERS) --durations=5

test-postgres: $(VENV)/.installed-dev
	env -u REDIS_URL DATABASE_URL=$(TEST_POSTGRES_URL) \
		$(BIN)/pytest -n $(PYTEST_WORKERS) --durations=5

lock: | $(BIN)/python
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes \
		-o requirements.lock --python-version 3.11
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes \
		-o requirements-dev.lock --python-version 3.11
