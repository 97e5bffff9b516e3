# Two commands on a fresh machine with Python 3.11+ and make:
#   make run   - create .venv from the lock file, generate the example corpus,
#                run the Prefect flow into warehouse/ingest.duckdb, print a summary
#   make test  - the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
CORPUS := examples/corpus
DB     := warehouse/ingest.duckdb
REPORT := warehouse/report.html
N      ?= 300

export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install run test lint bench bench-full docs clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	# Bytecode compiled once here: with PYTHONDONTWRITEBYTECODE set (as on our CI
	# machines) every run would otherwise recompile Prefect and its server (~3 s).
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps -e .
	# A DuckDB client of the other supported line, kept apart: tests open warehouses with it.
	$(BIN)/uv pip install --quiet --python $(BIN)/python --target $(VENV)/duckdb-2.0 duckdb==2.0.0
	rm -f $(VENV)/.installed-*
	touch $@

$(CORPUS): | $(STAMP)
	$(BIN)/ingest generate $(CORPUS) -n $(N) --seed 7

run: $(STAMP) $(CORPUS)
	$(BIN)/ingest run examples=$(CORPUS) --db $(DB)
	@echo
	@echo "Example query (documents per family and their FAQs):"
	@$(BIN)/python -m ingest.example_query $(DB)
	@echo
	@$(BIN)/ingest report --db $(DB) --html $(REPORT)

# Two workers, a test file each at a time (files share their module fixtures); the
# suite passed this way with the machine's load at 20, so it does not rely on idle cores.
test: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src flows tests bench
	$(BIN)/ruff format --check src flows tests bench
	$(BIN)/mypy

# ~90 min on 2 vCPUs (the lake at 100k: ~40 min); BENCH_ARGS="--work DIR" keeps corpora and warehouses for the next run.
bench: $(STAMP)
	$(BIN)/python bench/bench.py --sizes 10000,100000 --runs 3 $(BENCH_ARGS)
	$(BIN)/python bench/lake_bench.py --size 10000 $(LAKE_BENCH_ARGS)  # the DuckLake target beside the file
	INGEST_DUCKDB_MEMORY_LIMIT=512MB $(BIN)/python bench/lake_bench.py --size 100000 --no-two-writers $(LAKE_BENCH_ARGS)

# Every size the targets name (2k, 10k, 20k, 100k): ~70 min.
bench-full: $(STAMP)
	$(BIN)/python bench/bench.py --sizes 2000,10000,20000,100000 --runs 3 $(BENCH_ARGS)

docs: $(STAMP)
	$(BIN)/ingest schema --dictionary > warehouse/DATA_DICTIONARY.md
	$(BIN)/ingest schema --ddl > warehouse/schema.sql

clean:
	rm -rf $(VENV) $(CORPUS) $(DB) $(REPORT) warehouse/.ingest.duckdb.*
