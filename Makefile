# Mans konts — everyday commands. `make run` and `make test` are the Quick start.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=

.PHONY: run test test-fast test-browser install static messages lint fmt migrations-check bench load \
        worker beat browser-deps clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev,local]"
	touch $@

install: $(VENV)/.installed

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
	$(MANAGE) runserver 127.0.0.1:8000

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

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

bench: install static messages
	$(PY) bench/run.py

# Locust against gunicorn (production settings) on the benchmark database; run `make bench` first.
load: install static messages
	$(PIP) install --quiet -e ".[load]"
	$(PY) bench/load.py

# One local worker for every queue; production runs a worker per queue (docker-compose.yml).
worker: install
	$(VENV)/bin/celery -A manskonts worker --loglevel=INFO -Q exports,emails,maintenance,manskonts

# Exactly one beat per deployment: it sends the daily purge and reminders.
beat: install
	$(VENV)/bin/celery -A manskonts beat --loglevel=INFO

clean:
	rm -rf static/build staticfiles node_modules/.installed
