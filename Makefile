# Ma CNSS — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint check-deploy messages compile-messages system-deps venv venv-dev demo \
        test-postgres test-worker worker bench clean

help:
	@echo "make run    — install, migrate, load demo data and serve http://$(HOST):$(PORT) (tasks run eagerly)"
	@echo "make test   — lint, migrations check, deploy check and the whole test suite (browser tests included)"

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

system-deps:
	@scripts/system-deps.sh run

compile-messages:
	@$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

# Regenerate the catalogues: the project's (templates/, macnss/, accounts/) and each journey app's own.
messages: venv-dev
	$(MANAGE) makemessages -l ar --no-obsolete --ignore=.venv --ignore=tests --ignore=bench \
	  --ignore=tns_enrollment --ignore=pension --ignore=taawidaty --ignore=asvi_payment --ignore=backoffice
	# An app without its own locale/ would silently write into the project catalogue: create it first.
	for app in tns_enrollment pension taawidaty asvi_payment backoffice; do \
	  mkdir -p $$app/locale && (cd $$app && ../$(PY) ../manage.py makemessages -l ar --no-obsolete); done

demo: venv system-deps compile-messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) seed_demo

run: demo
	@echo
	@echo "Ma CNSS runs at http://$(HOST):$(PORT)/  (Arabic: http://$(HOST):$(PORT)/ar/)"
	@echo "SMS are not sent in development: read them at http://$(HOST):$(PORT)/telephone-demo/"
	$(MANAGE) runserver $(HOST):$(PORT)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# `check --deploy` with the production settings and throw-away secrets (nothing here is real).
check-deploy: venv-dev
	DJANGO_SETTINGS_MODULE=macnss.settings.production \
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_ALLOWED_HOSTS=portail.macnss.example \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	SMS_BACKEND=twilio TWILIO_ACCOUNT_SID=ACcheck TWILIO_AUTH_TOKEN=check TWILIO_FROM_NUMBER=+15005550006 \
	CMI_GATEWAY_URL=https://testpayment.cmi.co.ma/fim/est3Dgate CMI_STORE_KEY="$$($(PY) -c 'import secrets; print(secrets.token_hex(16))')" \
	ANTIVIRUS_BACKEND=clamd \
	$(MANAGE) check --deploy --fail-level WARNING

test: venv-dev
	@scripts/system-deps.sh test
	@$(MANAGE) compilemessages --ignore=.venv -v0
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=macnss.settings.test $(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy
	@scripts/pytest.sh $(PYTEST_ARGS)

# CI extras (PostgreSQL and Redis on 127.0.0.1, as on the developers' machines and in CI).
PG_URL ?= postgres://postgres@127.0.0.1:5432/macnss_ci
test-postgres: venv-dev
	DATABASE_URL=$(PG_URL) scripts/pytest.sh -m "not browser" --create-db $(PYTEST_ARGS)

test-worker: venv-dev
	CELERY_TEST_REAL_WORKER=1 DATABASE_URL=$(PG_URL) REDIS_URL=redis://127.0.0.1:6379/15 scripts/pytest.sh -m worker --create-db -p no:xdist

worker: venv
	$(BIN)/celery -A macnss worker -B --loglevel=INFO

bench: venv-dev
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
