# Ma CNSS — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
# A host name, not an IP address: browsers offer passkeys (WebAuthn) only on a host name.
HOST ?= localhost
PORT ?= 8000

.PHONY: help run test lint check-deploy messages compile-messages system-deps venv venv-dev demo \
        test-postgres test-worker test-files test-clamav worker bench bench-journey clean

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
	  --ignore=tns_enrollment --ignore=pension --ignore=taawidaty --ignore=asvi_payment --ignore=passkeys --ignore=privacy \
	  --ignore=insured_space --ignore=family --ignore=backoffice
	# An app without its own locale/ would silently write into the project catalogue: create it first.
	for app in tns_enrollment pension taawidaty asvi_payment passkeys privacy insured_space family backoffice; do \
	  mkdir -p $$app/locale && (cd $$app && ../$(PY) ../manage.py makemessages -l ar --no-obsolete); done

demo: venv system-deps compile-messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) seed_demo
	$(MANAGE) build_receipt_fonts -v0

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
	PUBLIC_BASE_URL=https://portail.macnss.example EMAIL_URL=smtp://127.0.0.1:25 \
	OUTBOX_ENCRYPTION_KEYS="check:$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	DOCUMENT_SIGNING_KEY="check:$$($(PY) -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode())')" \
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

# The suites that store files, once, against a real S3 server (SeaweedFS on loopback).
FILE_SUITES ?= tests/core/test_storage.py tests/core/test_downloads.py tests/core/test_outbox.py tests/core/test_health.py \
  tests/taawidaty tests/asvi_payment tests/family tests/insured_space tests/privacy
test-files: venv-dev
	scripts/services/seaweedfs.sh start
	env $$(scripts/services/seaweedfs.sh env) scripts/pytest.sh -m "not browser" -p no:xdist $(FILE_SUITES)

test-worker: venv-dev
	CELERY_TEST_REAL_WORKER=1 DATABASE_URL=$(PG_URL) REDIS_URL=redis://127.0.0.1:6379/15 scripts/pytest.sh -m worker --create-db -p no:xdist

# The antivirus test against a real clamd on $$CLAMD_SOCKET (scripts/clamav/start-clamd.sh prints it; .ci/run
# starts one): fails, rather than skips, when no clamd answers.
test-clamav: venv-dev
	CLAMAV_TEST_REQUIRED=1 scripts/pytest.sh -m clamav -p no:randomly

worker: venv
	$(BIN)/celery -A macnss worker -B -Q celery,sms,email,pdf --loglevel=INFO

# Three whole runs, each page judged on its median: one run on a shared host can be off by itself.
bench: venv-dev
	$(PY) bench/run.py --runs 3

# From «Valider» to a downloadable receipt at a steady rate (issue 20 §5): about 5 minutes.
bench-journey: venv-dev
	$(PY) bench/journey.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
