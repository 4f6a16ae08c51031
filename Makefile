# Keel's everyday commands. `make run` and `make test` are the README's quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint schema clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## install: create the virtual environment in .venv with the pinned dependencies
install: $(STAMP)

## run: migrate, load demo data, serve on http://127.0.0.1:8000 with a Celery worker
run: install
	bash scripts/run.sh

## test: the default test suite (SQLite, embedded broker; DATABASE_URL etc. switch tiers)
test: install
	$(BIN)/pytest

## lint: ruff, formatting, and migrations that are missing
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

## schema: regenerate the committed GraphQL schema
schema: install
	$(BIN)/python manage.py graphql_schema --schema portal.graphql.schema.schema --out schema.graphql

clean:
	rm -rf $(VENV) var .pytest_cache
