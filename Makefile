# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export LOG_LEVEL ?= WARNING

.DEFAULT_GOAL := help
.PHONY: help run test lint format check migrations-check audit messages bench bench-api prodcheck backup restore clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	@touch $@

$(VENV)/.dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	@touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime ## Set up everything and start the app on the embedded default (SQLite, demo data)
	@mkdir -p var/broker var/media var/mail
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A config worker --beat --pool=solo --loglevel=WARNING \
	  --schedule var/celerybeat-schedule >var/celery.log 2>&1 & \
	echo ""; \
	echo "R2P Focal Point Commitment Tracker (demonstration data loaded)"; \
	echo "  Site:   http://$(HOST):$(PORT)/"; \
	echo "  Admin:  http://$(HOST):$(PORT)/admin/"; \
	echo "  API:    http://$(HOST):$(PORT)/api/v1/   docs: http://$(HOST):$(PORT)/api/docs/"; \
	echo "  Celery worker + beat running on the filesystem broker (log: var/celery.log)"; \
	echo "  Log in with the demo accounts listed above. Stop with Ctrl-C."; \
	echo ""; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev ## Install test dependencies and run the whole suite (PostgreSQL if DATABASE_URL is set)
	APP_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev ## ruff check + format check + the layering contracts (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(VENV)/.dev ## Fail if a model change has no migration
	$(BIN)/python manage.py makemigrations --check --dry-run

audit: $(VENV)/.dev ## Fail on a known vulnerability in a pinned dependency (ops/audit.py)
	$(BIN)/python ops/audit.py requirements.lock requirements-dev.lock

check: lint migrations-check audit ## Everything CI checks besides the tests
	APP_ENV=production SECRET_KEY=check-only-$$RANDOM$$RANDOM$$RANDOM$$RANDOM-not-a-real-secret-key-abcdefgh \
	  ALLOWED_HOSTS=tracker.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

messages: $(VENV)/.dev ## Re-extract and compile translations (needs gettext)
	$(BIN)/python manage.py makemessages -l fr -l es -l ar --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: $(VENV)/.dev ## Run the benchmarks against DATABASE_URL (load seed_demo --scale 20000 first)
	$(BIN)/python benchmarks/dashboard.py --all
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/api_lists.py
	$(BIN)/python benchmarks/reminders.py

bench-api: $(VENV)/.dev ## wrk: API pages vs a bare one-query handler and Datasette, under gunicorn (DATABASE_URL; BENCH_API_ARGS)
	$(BIN)/python benchmarks/wrk_api.py $(BENCH_API_ARGS)

prodcheck: $(VENV)/.dev ## Run the production topology (nginx, gunicorn, Celery, Redis, PostgreSQL) and drive it
	$(BIN)/python ops/prodcheck.py $(PRODCHECK_ARGS)

backup: $(VENV)/.runtime ## Archive the database and uploaded files to var/backups/ (ops/backup.py)
	$(BIN)/python ops/backup.py backup $(if $(BACKUP_DIR),--to $(BACKUP_DIR))

restore: $(VENV)/.runtime ## Replace the database and uploaded files from BACKUP=<archive>
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/r2p-backup-....tar.gz"; exit 2; }
	$(BIN)/python ops/backup.py restore "$(BACKUP)" --yes

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
