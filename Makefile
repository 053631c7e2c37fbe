# Two commands for a fresh machine: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
# pytest-xdist processes for `make test` (each with its own test database); a file's tests stay on
# one process, so that the browser tests share one live server and one Chromium.
TEST_WORKERS ?= 2
# `make bench` (see its comment below).
SIZES ?= 10000 100000
DB ?= postgres
RUNS ?= 5
CLIENTS ?= 50
SECONDS ?= 60
KEEP ?= 0
# `make bench-import`: its sizes when SIZES is not given; GENERATED=1000000 adds that database.
IMPORT_SIZES := 2000 20000 100000
GENERATED ?= 0
PG_URL ?= postgres://postgres@127.0.0.1:5432
comma := ,

.PHONY: run serve test bench bench-import chromium vnu lint format migrate seed clean

$(STAMP): pyproject.toml requirements.lock
	@python=$$(bin/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

## Serve the app with the seed data on http://127.0.0.1:$(PORT) (SQLite unless DATABASE_URL is set).
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_seed --if-empty
	DEBUG=$${DEBUG:-1} $(PY) manage.py demo_editor --port $(PORT)
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

## Production: migrate, load the seed into an empty database (SEED=0 to skip), collect the static
## files, serve with gunicorn (gunicorn.conf.py) on 127.0.0.1:$(PORT). Needs SECRET_KEY; DEBUG is off.
serve: $(STAMP)
	@[ -n "$$SECRET_KEY" ] || { echo "error: make serve needs SECRET_KEY (a long random string; see README.md, Production)" >&2; exit 1; }
	DEBUG=0 $(PY) manage.py check --deploy --fail-level ERROR
	DEBUG=0 $(PY) manage.py migrate --no-input
	@if [ "$${SEED:-1}" != 0 ]; then DEBUG=0 $(PY) manage.py load_seed --if-empty; fi
	DEBUG=0 $(PY) manage.py collectstatic --no-input --verbosity 0
	DEBUG=0 PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py kb.wsgi

## The whole suite: ruff (lint and format check), Django's checks, migrations in sync, pytest.
## Chromium, Java and the Nu Html Checker are checked first (and installed if missing: see
## bin/ensure-chromium and bin/ensure-vnu).
test: chromium vnu $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	SECRET_KEY=$${SECRET_KEY:-test-only-secret} $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=$${SECRET_KEY:-test-only-secret} $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## Optional benchmark (benchmarks/bench.py; README.md, Benchmarks). For each size in SIZES (incidents;
## default 10000 100000): a fresh database (DB=postgres: kb_bench_<size> on PG_URL, dropped again
## unless KEEP=1; DB=sqlite: a temporary file) filled by generate_data, served by gunicorn with the
## production configuration; every page type timed RUNS times (default 5) after a cold request,
## every CSV export streamed (rows/s, workers' memory; against COPY on PostgreSQL), then CLIENTS
## concurrent clients (default 50) for SECONDS (default 60). Writes benchmarks/results/$(DB).json
## and .md, keeping sizes measured earlier and not rerun: `make bench SIZES=1000000` adds a column.
## REUSE=1 (PostgreSQL) measures a database kept by KEEP=1 again instead of generating it anew.
bench: $(STAMP)
	$(PY) -m benchmarks.bench --db $(DB) --sizes $(SIZES) --runs $(RUNS) --clients $(CLIENTS) \
		--seconds $(SECONDS) --pg-url $(PG_URL) $(if $(filter 1,$(KEEP)),--keep) \
		$(if $(filter 1,$(REUSE)),--reuse)

## Optional benchmark of `manage.py import_csv incidents` (benchmarks/import_rate.py; README.md,
## Benchmarks). For each size in SIZES (rows; default 2000 20000 100000, commas or spaces), RUNS
## times (default here: 1): synthetic incident files, a fresh seeded database (DB=postgres|sqlite),
## then the file imported (all created), again (all unchanged) and changed (all updated), each in
## its own process: rows/s and peak RSS. GENERATED=1000000 also imports the same files into copies
## of kb_bench_1000000 (REUSE=1: the one `make bench KEEP=1` or KEEP=1 here left; else generated,
## and kept with KEEP=1; SEEDED=0: only that database). CLAIMS=0: incidents only. STEPS=create:
## only the first import of each file (for the memory of a large file without the other runs).
## Writes benchmarks/results/import-$(DB).json and .md, keeping entries measured earlier.
bench-import: $(STAMP)
	$(PY) -m benchmarks.import_rate --db $(DB) \
		--sizes $(subst $(comma), ,$(if $(filter command line environment,$(origin SIZES)),$(SIZES),$(IMPORT_SIZES))) \
		--runs $(if $(filter command line environment,$(origin RUNS)),$(RUNS),1) --pg-url $(PG_URL) \
		$(if $(filter-out 0,$(GENERATED)),--generated $(GENERATED)) \
		$(if $(filter 1,$(KEEP)),--keep) $(if $(filter 1,$(REUSE)),--reuse) \
		$(if $(filter 0,$(SEEDED)),--no-seeded) $(if $(filter 0,$(CLAIMS)),--no-claims) \
		$(if $(STEPS),--steps $(subst $(comma), ,$(STEPS)))

## Chromium for the browser tests (CHROMIUM, default /usr/bin/chromium): see bin/ensure-chromium.
chromium:
	@bin/ensure-chromium

## The Nu Html Checker for tests/test_html_validity.py: Java, and vnu.jar from package-lock.json
## installed into node_modules/ with npm ci (see bin/ensure-vnu).
vnu:
	@bin/ensure-vnu

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles node_modules
