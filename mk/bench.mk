# `make bench`: trackd against the real MLflow server on the same PostgreSQL (not part of
# `make test`). BENCH_ARGS go to bench/run.py, for example
#   make bench BENCH_ARGS="--runs 1000000"
#   make bench BENCH_ARGS="--runs 500 --quick"      (a smoke run)
# `make bench` ends with the artifact benchmark (a 1 GiB file up and down through both servers,
# bench/artifacts.py; --skip-artifacts leaves it out); `make bench-artifacts` runs only that
# part (no PostgreSQL needed), e.g. make bench-artifacts BENCH_ARGS="--quick".
# MLflow runs from its own virtualenv, bench/.venv-mlflow, made here from PyPI.
BENCH_ARGS ?=
MLFLOW_VERSION ?= 3.17.2
BENCH_MLFLOW_VENV := bench/.venv-mlflow
BENCH_MLFLOW_STAMP := $(BENCH_MLFLOW_VENV)/.installed-$(MLFLOW_VERSION)

.PHONY: bench-mlflow-venv bench-lint bench-artifacts

$(BENCH_MLFLOW_STAMP):
	test -x $(BENCH_MLFLOW_VENV)/bin/python || $(PY) -m venv $(BENCH_MLFLOW_VENV)
	$(BENCH_MLFLOW_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_MLFLOW_VENV)/bin/pip install -q 'mlflow==$(MLFLOW_VERSION)' psycopg2-binary
	touch $@

bench-mlflow-venv: $(BENCH_MLFLOW_STAMP)

bench: venv postgres $(BENCH_MLFLOW_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-artifacts: venv $(BENCH_MLFLOW_STAMP)
	$(BIN)/python bench/run.py --artifacts-only $(BENCH_ARGS)

# ruff and mypy over the harness (the root `make lint` runs ruff over it too).
bench-lint: venv
	$(BIN)/ruff check bench
	$(BIN)/ruff format --check bench
	$(BIN)/mypy bench/*.py
