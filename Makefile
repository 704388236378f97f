# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_ENV := TELLONCE_ENV=demo
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck check install seed bench bench-feeds bench-linkage bench-mash bench-encompass clean-demo

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("TellOnce needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/tellonce migrate --noinput
	$(DEMO_ENV) $(BIN)/tellonce seed --link
	$(DEMO_ENV) $(BIN)/tellonce serve

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd src && ../$(BIN)/lint-imports --config ../pyproject.toml

typecheck: $(STAMP)
	TELLONCE_ENV=test $(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(DEMO_ENV) $(BIN)/python bench/run.py

bench-feeds: $(STAMP)
	$(DEMO_ENV) $(BIN)/python bench/feeds_bench.py

bench-linkage: $(STAMP)
	$(DEMO_ENV) $(BIN)/python bench/linkage_bench.py

bench-mash: $(STAMP)
	$(DEMO_ENV) $(BIN)/python bench/mash_bench.py

bench-encompass: $(STAMP)
	$(DEMO_ENV) $(BIN)/python bench/encompass_bench.py

clean-demo:
	rm -rf var/
