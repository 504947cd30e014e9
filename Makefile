# Werkstation — two commands on a fresh machine:  make run   /   make test
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lock audit migrate seed web worker beat lint format messages openapi screens clean

# Installs exactly what requirements.lock pins, each file checked against its hash.
# (The project itself runs from this tree; pyproject.toml lists what the lock resolves.)
$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

# Refresh the lock after changing the dependencies in pyproject.toml (LOCK_FLAGS=--upgrade
# moves every package to its newest allowed release). The lock keeps extras
# (cachecontrol[filecache]==...): pip's hash-checking mode refuses a package that another
# one asks for with an extra unless the lock pins it with that extra, once the index
# offers a newer release than the pin.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras \
	  --no-emit-index-url --no-emit-find-links --extra dev $(LOCK_FLAGS) \
	  --output-file requirements.lock pyproject.toml

# Known vulnerabilities in the locked packages (pip-audit); offline it says so and passes.
audit: install
	$(PY) manage.py audit_dependencies

# The dispatch week DP's compiled kernel (jobs/dispatch/native; numpy runs without it).
NATIVE := jobs/dispatch/native/_weekdp.so
$(NATIVE): jobs/dispatch/native/weekdp.c $(STAMP)
	WERKSTATION_NO_NATIVE=1 $(PY) -m jobs.dispatch.native || echo "dispatch: no C compiler? the week DP runs in numpy (slower)"

install: $(STAMP) $(NATIVE)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Web, Celery worker and beat together on the embedded defaults (SQLite, no Redis).
# E-mails go to files under var/mail/; the address and the demo logins are printed
# once, last, when the site answers. Another port: make run PORT=8080
run: migrate
	EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend} \
	  $(PY) manage.py seed_demo --verbosity 0
	EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend} \
	  $(PY) manage.py runstack --host $(HOST) --port $(PORT) --banner

web: install
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	DJANGO_SETTINGS_MODULE=werkstation.settings.local $(VENV)/bin/celery -A werkstation worker --loglevel=info

beat: install
	DJANGO_SETTINGS_MODULE=werkstation.settings.local $(VENV)/bin/celery -A werkstation beat --loglevel=info

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	$(PY) manage.py makemessages -l nl -l en --no-obsolete --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*' --ignore='var/*'
	$(PY) manage.py compilemessages --ignore=.venv

# The API's OpenAPI schema as committed (docs/openapi.yaml): run after every API change;
# tests/werkstation/test_openapi_contract.py fails while the file and the served schema
# differ. Integer bounds are PostgreSQL's (production's), whatever database this machine
# has: the URL only picks the backend, nothing connects to it.
openapi: install
	DATABASE_URL=postgres://127.0.0.1:5432/schema-only DJANGO_SETTINGS_MODULE=werkstation.settings.local \
	  $(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

# Vulnerability check, lint, types, migration check and the whole suite. PostgreSQL and Redis are used when they
# answer; under CI=true they (and Chromium) are required.
test: install
	$(PY) manage.py audit_dependencies
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy members jobs payouts werkstation
	DJANGO_SETTINGS_MODULE=werkstation.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Screenshots of the main pages per role (member, board, treasurer, client, municipality,
# auditor) at phone width (360 × 740) into docs/screens/, from the demo data that
# `make run` seeds. Needs Chromium (as the browser tests do).
screens: install
	$(PY) -m pytest -q -p no:cacheprovider tests/browser/screens.py

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache
