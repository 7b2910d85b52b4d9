# One task runner for people and CI. `make help` lists the targets.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BUF_VERSION := 1.75.0
BUF := build/node/node_modules/.bin/buf
# Admin URL of the PostgreSQL that tests use; tools/ensure_postgres.sh provides it.
export TRACKD_TEST_PG_URL ?= postgresql+psycopg://trackd:trackd@127.0.0.1:5432/postgres

.PHONY: help venv gen check-gen lint test test-python postgres run bench clean
help:
	@echo "make run        serve trackd on 127.0.0.1:50051 with SQLite (./trackd.db)"
	@echo "make test       install what tests need (PostgreSQL, JDK deps, R) and run every suite"
	@echo "make gen        regenerate generated code from proto/"
	@echo "make lint       buf lint, ruff, mypy"
	@echo "make bench      benchmarks against MLflow (not part of make test)"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[server,dev,pandas,parquet,artifacts]'
	touch $@

venv: $(STAMP)

$(BUF):
	mkdir -p build/node
	npm install --silent --no-audit --no-fund --prefix build/node @bufbuild/buf@$(BUF_VERSION)

gen: venv
	$(BIN)/python tools/gen_protos.py

# What `make gen` writes: the Python stubs (with the service config beside them) and the R
# package's copy of the service config.
GENERATED := clients/python/src/trackd/v1 clients/r/inst/service_config.json
# Fails when the committed generated code differs from what `make gen` produces.
check-gen: gen
	@if [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
	  git status --porcelain -- $(GENERATED); \
	  echo "generated code is stale: run 'make gen' and commit the result"; exit 1; fi

lint: venv gen $(BUF)
	$(BUF) lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

postgres:
	bash tools/ensure_postgres.sh

test-python: venv postgres
	$(BIN)/pytest tests -q -p no:cacheprovider

# Language suites add themselves to TEST_SUITES from mk/*.mk.
TEST_SUITES := test-python
-include mk/*.mk

test: check-gen lint
	@set -e; for suite in $(TEST_SUITES); do echo "=== $$suite"; $(MAKE) --no-print-directory $$suite; done

run: venv
	$(BIN)/trackd server

clean:
	rm -rf build .venv .pytest_cache .mypy_cache .ruff_cache
