# Every routine command of the Billing Portal. `make demo` and `make test` are the two that matter.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SERVICES ?= 1000000
SEED ?= 7
# Settings for a laptop: plain http on 127.0.0.1, debug pages off (they could show client data).
LOCAL_ENV := DJANGO_DEBUG=0 DJANGO_SECURE_COOKIES=0 DJANGO_SECURE_SSL_REDIRECT=0 \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-local-only-secret-key-not-for-production}
ENSURE_DB = eval "$$(scripts/ensure-services.sh)"
ENSURE_DB_REDIS = eval "$$(scripts/ensure-services.sh redis)"

.PHONY: help install demo test lint bench bench-import worker beat clean

help:
	@echo "make demo     install, start PostgreSQL if needed, load the demo county, validate, serve on :$(PORT)"
	@echo "make test     ruff, the layers check and the whole pytest suite (PostgreSQL, Redis, Celery, Chromium)"
	@echo "make lint     ruff, the layers check (import-linter), makemigrations --check, mypy"
	@echo "make bench    nightly engine benchmark (SERVICES=$(SERVICES))"
	@echo "make bench-pages  p50/p95 of home, Services list and error report on the bench database"
	@echo "make bench-import  50,000-row service import (CSV, XLSX, a bad last row) on the bench county"
	@echo "make bench-check  p50/p95 of POST /api/checks/ (300 services) and the service page after a save"
	@echo "make worker / make beat   Celery worker and scheduler (need CELERY_BROKER_URL)"

$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is required: install it and run again (PY=python3.11 make ...)."; exit 1; }
	@$(PY) -c 'import ensurepip, venv' 2>/dev/null || { echo "Python's venv module is missing: install it (Debian: apt-get install python3-venv) and run again."; exit 1; }
	$(PY) -m venv $(VENV)

# Reinstalls only when pyproject.toml changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	@$(ENSURE_DB) && export $(LOCAL_ENV) && \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py load_demo --seed $(SEED) --if-empty && \
	$(BIN)/python manage.py run_nightly && \
	$(BIN)/python manage.py collectstatic --noinput -v0 && \
	echo "Billing Portal: http://127.0.0.1:$(PORT)/  password Demo-Pass-2025 for: provider, provider2 (provider admins of two agencies), county (county billing), admin (system admin)" && \
	$(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

# Debian's chromium drives the browser tests; Playwright's own browser download is not used.
test-deps: install
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else echo "Chromium is missing: install it (Debian: apt-get install chromium) and run again."; exit 1; fi; }

.PHONY: test-deps
test: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@$(ENSURE_DB_REDIS) && export $(LOCAL_ENV) && $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@$(ENSURE_DB) && export $(LOCAL_ENV) && $(BIN)/python manage.py makemigrations --check --dry-run
	@export $(LOCAL_ENV) && $(BIN)/mypy .

# The benchmark has a database of its own, so it never touches the demo's.
bench: install
	@export DB_NAME=$${BENCH_DB_NAME:-billing_portal_bench} && $(ENSURE_DB) && export $(LOCAL_ENV) && \
	$(BIN)/python manage.py migrate --noinput -v0 && \
	$(BIN)/python manage.py bench_nightly --services $(SERVICES)

# Page speed on the bench database `make bench` filled (target: p95 < 300 ms per page).
REQUESTS ?= 30
bench-pages: install
	@export DB_NAME=$${BENCH_DB_NAME:-billing_portal_bench} && $(ENSURE_DB) && export $(LOCAL_ENV) && \
	$(BIN)/python manage.py migrate --noinput -v0 && \
	$(BIN)/python manage.py bench_pages --requests $(REQUESTS)

.PHONY: bench-pages

# Tonight's verdict on the bench database: p50/p95 of POST /api/checks/ (a client with 300 services)
# and of a save and the service page after it (target: check p95 < 100 ms).
bench-check: install
	@export DB_NAME=$${BENCH_DB_NAME:-billing_portal_bench} && $(ENSURE_DB) && export $(LOCAL_ENV) && \
	$(BIN)/python manage.py migrate --noinput -v0 && \
	$(BIN)/python manage.py bench_check --requests $(REQUESTS)

.PHONY: bench-check

worker: install
	$(BIN)/celery -A billing_portal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A billing_portal beat --loglevel=INFO

clean:
	-rm -rf .pytest_cache .mypy_cache .ruff_cache test-artifacts

# Service imports on the bench county's reference data (built when the database has none; ROWS=50000).
ROWS ?= 50000
bench-import: install
	@export DB_NAME=$${DB_NAME:-billing_portal_bench} && $(ENSURE_DB) && export $(LOCAL_ENV) && \
	$(BIN)/python manage.py migrate --noinput -v0 && \
	$(BIN)/python manage.py bench_import --rows $(ROWS)
