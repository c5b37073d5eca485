# Sferum Admin. `make run` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Tests use local PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sferum
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# `make run` serves here (tests/test_make_run.py picks a free port). The settings build
# the default SITE_URL, the address in links, QR codes and SMS, from the same port.
RUN_PORT ?= 8000
# `make run` needs no PostgreSQL or Redis, so these flows are tested a second time as it runs them:
# on SQLite, without Redis. Tests of a PostgreSQL-only path itself or of races are left out there.
SQLITE_TESTS ?= tests/movement tests/invitations/test_services.py tests/invitations/test_accept.py \
	tests/invitations/test_views.py tests/materials/test_services.py tests/accounts/test_bulk.py \
	tests/colleges/test_bulk.py tests/groups/test_bulk.py tests/audit tests/chats \
	tests/invitations/test_compiled.py tests/support tests/broadcasts tests/groups/test_student_count.py \
	tests/notifications/test_email_batch.py tests/announcements \
	tests/analytics tests/groups/test_audience.py

.PHONY: install run test test-fast lint test-unit test-e2e check-deploy bench seed fuzz clean lock compose-smoke base-images

install: $(VENV)/.installed node_modules/.installed ## virtualenv, Python packages, front-end assets

# requirements/dev.txt: every package pinned with its hashes (make lock); the image installs requirements/prod.txt.
$(VENV)/.installed: requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements/dev.txt
	touch $@

# Both lock files from pyproject.toml, with hashes (uv in a throwaway virtualenv). Upgrades: LOCK_ARGS=--upgrade.
lock:
	test -x .lock-venv/bin/uv || ($(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet uv)
	.lock-venv/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --no-header --quiet \
		$(LOCK_ARGS) -o requirements/prod.txt
	.lock-venv/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header \
		--quiet $(LOCK_ARGS) -o requirements/dev.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: export RUN_PORT := $(RUN_PORT)
run: install ## migrate, load the demo college, serve on http://127.0.0.1:$(RUN_PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@# With REDIS_URL a Celery worker (with beat) runs beside the server and is
	@# stopped with it (the trap); without it tasks run in-process.
	@worker=""; \
	if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker with beat"; \
		$(VENV)/bin/celery -A sferum_admin worker --beat --loglevel=INFO --concurrency=2 & worker=$$!; \
	else \
		echo "REDIS_URL is not set: Celery tasks run in-process"; \
	fi; \
	trap 'if [ -n "$$worker" ]; then kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null; fi' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(RUN_PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install lint ## ruff, then pytest (PostgreSQL, then the SQLite flows), then the browser tests
	# Models against migrations: no database needed, so an in-memory one.
	DATABASE_URL=sqlite:///:memory: \
		$(PY) manage.py makemigrations --check --dry-run --settings=sferum_admin.settings_test
	$(MAKE) --no-print-directory check-deploy
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)
	DATABASE_URL=sqlite:///:memory: REDIS_URL= \
		$(PY) -m pytest -m "not e2e and not race and not postgresql" $(SQLITE_TESTS) $(PYTEST_ARGS)
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

# The inner loop: ruff, then pytest without the browser tests, the tests that start a worker or
# subprocess or race threads (marked slow, race; tests/test_markers.py keeps them marked), and the fuzz.
# Under two minutes on a 2-core machine; `make test` still runs everything.
test-fast: install lint ## ruff, then the quick tests on PostgreSQL (no browser, workers, races, fuzz)
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) -m pytest -m "not e2e and not slow and not race and not fuzz" $(PYTEST_ARGS)

check-deploy: install ## Django's deployment checklist with production settings
	DJANGO_ENV=production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(50))') \
		MFA_ENCRYPTION_KEY=$$($(PY) -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
		DJANGO_ALLOWED_HOSTS=sferum.example.org SITE_URL=https://sferum.example.org DATABASE_URL=sqlite:///:memory: \
		EMAIL_URL=smtp+tls://sferum:secret@smtp.example.org:587 SMS_GATEWAY_URL=https://sms.example.org/send \
		SMS_BACKEND=notifications.backends.HttpGatewaySmsBackend \
		$(PY) manage.py check --deploy --fail-level WARNING

# Local stand-ins for the official python, postgres, redis and nginx images, from Debian's packages
# (debootstrap): for machines without a container registry. Built once, kept by Docker.
base-images:
	deploy/base/build.sh

# The production stack for real: build, up, sign in over HTTPS, SMS through a fake gateway, uploads,
# Redis restart, backup and restore, two replicas, down (deploy/smoke/smoke.py prints each step's time).
# SMOKE_LOCAL_IMAGES=1 builds on the local images of `make base-images` instead of the official ones.
compose-smoke: install
	@if [ -n "$(SMOKE_LOCAL_IMAGES)" ]; then deploy/base/build.sh; fi
	$(if $(SMOKE_LOCAL_IMAGES),PYTHON_IMAGE=local/python:bookworm NGINX_IMAGE=local/nginx:bookworm \
		POSTGRES_IMAGE=local/postgres:bookworm REDIS_IMAGE=local/redis:bookworm) \
		$(PY) deploy/smoke/smoke.py

fuzz: install ## schemathesis over /api/v1/schema/ alone; FUZZ_MAX_EXAMPLES=100 for a longer run
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-50} $(PY) -m pytest tests/test_api_fuzz.py $(PYTEST_ARGS)

bench: install ## run every script in bench/ (needs PostgreSQL and Redis)
	@for script in bench/[!_]*.py; do echo "== $$script"; \
		DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules staticfiles var .lock-venv
