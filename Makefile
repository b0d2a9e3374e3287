# fonds: the everyday commands. Each target is one line of plain Python tooling, so the
# same steps work without make (see the README and docs/getting-started.md).

PYTHON ?= python
BENCH_ARGS ?=

.PHONY: install test lint format bench bench-ingest bench-index bench-search bench-web demo

install:  ## install fonds with the test and lint tools, editable
	$(PYTHON) -m pip install -e '.[test,dev]'

test:  ## the whole suite; PostgreSQL tests start a throwaway cluster when it is installed
	$(PYTHON) -m pytest -q

lint:  ## ruff (rules and format) and mypy --strict
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

format:  ## rewrite files in the house format
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

bench: bench-ingest bench-index bench-search bench-web  ## every benchmark, each printing a table

bench-ingest:
	$(PYTHON) bench/bench_ingest.py $(BENCH_ARGS)

bench-index:
	$(PYTHON) bench/bench_index.py $(BENCH_ARGS)

bench-search:
	$(PYTHON) bench/bench_search.py $(BENCH_ARGS)

bench-web:
	$(PYTHON) bench/bench_web.py $(BENCH_ARGS)

demo:  ## build the demo archive from fonds/examples and serve it on http://127.0.0.1:8000
	$(PYTHON) -m fonds demo
