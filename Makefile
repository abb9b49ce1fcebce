# Lapor: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export LAPOR_DATA_DIR ?= $(CURDIR)/var
# `make test` runs a second pass on PostgreSQL when this server answers.
PG_TEST_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/lapor)
PYTEST_WORKERS ?= 2
# pytest keeps the test modules it rewrites (for its assertion messages) as bytecode in
# __pycache__ (ignored by git). These machines set PYTHONDONTWRITEBYTECODE, and then every
# worker of every pass rewrote all ~560 test modules again: 34 s to collect instead of 20.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest

.PHONY: help run run-region test test-faults install install-dev system-deps lint typecheck test-sqlite test-postgres bench clean

help:
	@echo "make run    - install, migrate, load demo data, serve on http://127.0.0.1:$(PORT)"
	@echo "make run-region - beside make run: a regional instance (Kutai Timur) on :$(REGION_PORT), linked to it"
	@echo "make test   - ruff, import-linter (the tiers), mypy, the test suite on SQLite, then on PostgreSQL"
	@echo "make test-faults - fault injection on PostgreSQL (restarts the server; docs/reliability.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install -q -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

# The browser tests drive Debian's chromium (never `playwright install`: it cannot download
# here); the translation check runs GNU gettext's xgettext; the SOP document test reads its PDF
# with poppler's pdftotext and renders page 1 with pdftoppm (WeasyPrint needs Pango, HarfBuzz
# and a font, present on a full Debian image). Installed when missing (as root).
# Full-text search at national scale uses PostgreSQL's RUM extension (docs/search.md, "RUM"):
# the package of the local server's major version (15 on Debian 12), when one is installed.
PG_MAJOR := $(shell ls /etc/postgresql 2>/dev/null | sort -n | tail -n1)
RUM_PACKAGE := $(if $(PG_MAJOR),postgresql-$(PG_MAJOR)-rum)
SYSTEM_PACKAGES := chromium gettext poppler-utils libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz-subset0 fonts-dejavu-core $(RUM_PACKAGE)
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v xgettext >/dev/null \
		|| ! command -v pdftoppm >/dev/null \
		|| { [ -n "$(PG_MAJOR)" ] && [ ! -f /usr/share/postgresql/$(PG_MAJOR)/extension/rum.control ]; }; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing $(SYSTEM_PACKAGES) from Debian"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null \
			|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null; }; \
		else \
			echo "Please install: sudo apt-get install -y $(SYSTEM_PACKAGES)"; exit 1; \
		fi; \
	fi

# The env file ($(LAPOR_DATA_DIR)/lapor.env) holds the demo's configuration: every `lapor`
# command run beside the server reads it (README "The two commands").
run: install
	LAPOR_DEMO_MODE=1 $(BIN)/lapor envfile --demo --port $(PORT)
	$(BIN)/lapor migrate --noinput -v 0
	$(BIN)/lapor demo
	exec $(BIN)/lapor serve --port $(PORT)

# A regional instance beside the demo (docs/federation.md): Kutai Timur's subtree on its own
# port, data dir and SQLite database, linked to the national demo that `make run` serves.
# Linking is skipped when both sides are linked already (a second `make run-region`).
REGION_PORT ?= 8001
REGION_DATA_DIR ?= $(CURDIR)/var-region
REGION_AGENCY ?= kutim
NATIONAL_URL := http://127.0.0.1:$(PORT)
REGION_URL := http://127.0.0.1:$(REGION_PORT)
NATIONAL_LAPOR := $(BIN)/lapor
REGION_LAPOR := env -u DATABASE_URL -u LAPOR_ENV_FILE LAPOR_DATA_DIR=$(REGION_DATA_DIR) $(BIN)/lapor
run-region: install
	@$(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', $(PORT)), 5)" \
		2>/dev/null || { echo "The national demo is not running on $(NATIONAL_URL): start \
	it first with \`make run\` in another shell, then run \`make run-region\` again."; exit 1; }
	LAPOR_DEMO_MODE=1 $(REGION_LAPOR) envfile --demo --port $(REGION_PORT)
	$(REGION_LAPOR) migrate --noinput -v 0
	$(REGION_LAPOR) demo --region $(REGION_AGENCY)
	@national=$$($(NATIONAL_LAPOR) federation peer list | awk -F'\t' \
		'$$2 == "peer" && $$3 == "$(REGION_AGENCY)"'); \
	region=$$($(REGION_LAPOR) federation peer list | awk -F'\t' '$$2 == "upstream"'); \
	saved=$(REGION_DATA_DIR)/federation-token; \
	if [ -n "$$national" ] && [ -n "$$region" ]; then \
		echo "Already linked: $(NATIONAL_URL) <-> $(REGION_URL) ($(REGION_AGENCY))"; exit 0; \
	elif [ -n "$$region" ] || { [ -n "$$national" ] && [ ! -s "$$saved" ]; }; then \
		echo "Only one side is linked (a data dir was removed?): national: $${national:-none};" \
			"region: $${region:-none}. Remove var/ and $(REGION_DATA_DIR)/ and start again."; \
		exit 1; \
	elif [ -z "$$national" ]; then \
		(umask 077; $(NATIONAL_LAPOR) federation peer add $(REGION_AGENCY) \
			--url $(REGION_URL) 2>"$$saved.log" | sed -n 's/^token=//p' > "$$saved"); \
		[ -s "$$saved" ] || { cat "$$saved.log"; exit 1; }; rm -f "$$saved.log"; \
	fi; \
	$(REGION_LAPOR) federation upstream set --url $(NATIONAL_URL) --agency $(REGION_AGENCY) \
		< "$$saved" && rm -f "$$saved" \
	&& echo "Linked: a report filed on $(REGION_URL) appears on $(NATIONAL_URL) and back."
	exec $(REGION_LAPOR) serve --port $(REGION_PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: install-dev
	LAPOR_DEMO_MODE=1 $(BIN)/mypy lapor

test-sqlite: install-dev system-deps
	env -u DATABASE_URL $(PYTEST) -q -n $(PYTEST_WORKERS) -m "not postgres" -p no:cacheprovider

test-postgres: install-dev system-deps
	@if $(BIN)/python -m lapor.core.dbcheck "$(PG_TEST_URL)"; then \
		echo "PostgreSQL pass against $(PG_TEST_URL)"; \
		DATABASE_URL="$(PG_TEST_URL)" $(PYTEST) -q -n $(PYTEST_WORKERS) -m "not embedded and not one_pass" -p no:cacheprovider; \
	elif [ -n "$$LAPOR_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is required (LAPOR_REQUIRE_POSTGRES) but $(PG_TEST_URL) is unreachable"; \
		exit 1; \
	else \
		echo "PostgreSQL unreachable at $(PG_TEST_URL): PostgreSQL pass not run"; \
	fi

test: lint typecheck test-sqlite test-postgres

# Fault injection (tests/faults, docs/reliability.md): restarts the PostgreSQL cluster and kills
# worker processes, so it runs alone, sequentially, on its own database (test_lapor_faults).
# LAPOR_FAULTS_PG=terminate kills the database's connections instead of restarting the server.
FAULTS_DB_URL ?= postgres://postgres@127.0.0.1:5432/lapor_faults
test-faults: install-dev
	@if $(BIN)/python -m lapor.core.dbcheck "$(FAULTS_DB_URL)"; then \
		LAPOR_FAULTS=1 DATABASE_URL="$(FAULTS_DB_URL)" $(PYTEST) -q -p no:cacheprovider \
			-p no:xdist -m faults tests/faults; \
	elif [ -n "$$LAPOR_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is required (LAPOR_REQUIRE_POSTGRES) but $(FAULTS_DB_URL) is unreachable"; \
		exit 1; \
	else \
		echo "PostgreSQL unreachable at $(FAULTS_DB_URL): fault tests not run"; \
	fi

# Not a test: loads 100,000 reports into PostgreSQL and measures `lapor serve` (bench/README.md).
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var var-region .mypy_cache .ruff_cache
