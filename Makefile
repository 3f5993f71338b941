# Mans konts — everyday commands. `make run` and `make test` are the Quick start.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=

.PHONY: run test test-fast test-browser test-lowest install lock static messages lint fmt \
        migrations-check bench load worker beat browser-deps clean stop

# Installed from the dev lock (runtime + dev + local, every file's hash checked); the project itself
# without dependencies. The production image installs requirements/prod.lock (runtime only).
$(VENV)/.installed: pyproject.toml requirements/dev.lock
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements/dev.lock
	$(PIP) install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# After changing a dependency in pyproject.toml: rewrite both locks, keeping every pin that still
# fits (`make lock UPGRADE=1` moves all to the newest). The prod lock takes the dev lock's pins.
UV := $(VENV)/bin/uv
LOCK_FLAGS := --universal --generate-hashes --custom-compile-command "make lock" --quiet \
	$(if $(UPGRADE),--upgrade)
lock: install
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) --extra dev --extra local -o requirements/dev.lock
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) -c requirements/dev.lock -o requirements/prod.lock
	$(PIP) install --quiet --require-hashes -r requirements/dev.lock
	touch $(VENV)/.installed

# The lowest versions pyproject.toml allows (its floors, the newest of the rest), in a venv of
# their own: first the runtime dependencies alone must start the site (Django's checks import every
# app and URL, as a production worker would), then the fast tests run with the dev extra added. A
# floor that no longer works, or a package used but not declared, fails here, not in production.
LOWEST_VENV ?= .venv-lowest
LOWEST_PY := $(LOWEST_VENV)/bin/python
LOWEST := $(UV) pip install --quiet --python $(LOWEST_PY) --resolution lowest-direct -r pyproject.toml
FAST_TESTS := not browser and not fault and not worker
test-lowest: install static messages
	rm -rf $(LOWEST_VENV)
	python3 -m venv --without-pip $(LOWEST_VENV)
	$(LOWEST)
	@echo "Lowest runtime versions:" $$($(UV) pip freeze --python $(LOWEST_PY) | tr '\n' ' ')
	$(LOWEST_PY) manage.py check
	$(LOWEST_PY) -c "import manskonts.celery, manskonts.wsgi"
	$(LOWEST) --extra dev
	$(LOWEST_PY) -m pytest -m "$(FAST_TESTS)" $(PYTEST_ARGS)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/main.css: node_modules/.installed $(wildcard static/src/*.scss)
	mkdir -p static/build
	npm run --silent build:css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/build/

static: static/build/main.css

messages: install
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

run: install static messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:$(or $(PORT),8000)

# Headless Chromium from Debian's package, for the browser tests (never `playwright install`).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install static messages browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install static messages
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

test-browser: install static messages browser-deps
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

# BENCH_SCALES=100000,1000000,10000000 for the whole curve (one database per scale, seeded once).
bench: install static messages
	BENCH_REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/8} nice -n 10 $(PY) bench/run.py

# Locust against gunicorn (production settings) on the benchmark database; run `make bench` first.
load: install static messages
	$(PIP) install --quiet -e ".[load]"
	BENCH_REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/8} $(PY) bench/load.py

# One local worker for every queue; production runs a worker per queue (docker-compose.yml).
worker: install
	$(VENV)/bin/celery -A manskonts worker --loglevel=INFO -Q exports,emails,maintenance,manskonts

# Exactly one beat per deployment: it sends the daily purge and reminders.
beat: install
	$(VENV)/bin/celery -A manskonts beat --loglevel=INFO

# With DATABASE_URL unset, the first command that connects starts the embedded PostgreSQL (data in
# .pgdata/, or EMBEDDED_PGDATA) and leaves it running, so the next one (a runserver restart, migrate)
# connects at once; a test run stops the one it started. This stops it; the data stays.
stop:
	@if [ -x $(PY) ]; then $(PY) -m manskonts.embedded_db stop; fi

clean:
	rm -rf static/build staticfiles node_modules/.installed $(LOWEST_VENV)
