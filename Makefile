# The two commands a new machine needs: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/demo
# glibc malloc tunables that keep durable-rules' throughput steady (docs/design.md, Driving durable-rules)
export GLIBC_TUNABLES ?= glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824

.PHONY: setup demo test lint typecheck pytest bench docs examples clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh
	bash scripts/setup.sh $(VENV)
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/appraisal demo --out $(OUT) --jobs 0

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# Bytecode written and reused (an environment that sets PYTHONDONTWRITEBYTECODE made each pytest worker and each
# `appraisal` process the tests start compile src/ and tests/ again: 1.6 s of each worker's 3.2 s collection,
# 0.1 s a process; docs/speed.md). __pycache__ is ignored by git.
pytest: export PYTHONDONTWRITEBYTECODE =
pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder -p no:cacheprovider

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scoring.py 5000
	$(BIN)/python benchmarks/bench_reports.py 5
	$(BIN)/python benchmarks/bench_batch.py 1000

docs: $(STAMP)
	$(BIN)/python -c 'from appraisal.facts import reference_document as r; print(r(), end="")' > docs/facts.md

examples: $(STAMP)
	$(BIN)/python scripts/make_examples.py
	$(BIN)/python scripts/make_example_workbooks.py

clean:
	rm -rf $(VENV) out build dist
