# GPT Studio. `make run` and `make test` set up everything they need from a clean clone.
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
TEST_WORKERS ?= 2
PORT ?= 8000

# The interpreter to build the venv with: $(PYTHON) if given, else pyenv's 3.12, else python3.12.
PYTHON ?= $(shell (command -v pyenv >/dev/null && prefix=$$(pyenv prefix $(PYTHON_VERSION) 2>/dev/null | head -1) && test -x "$$prefix/bin/python" && echo "$$prefix/bin/python") || command -v python$(PYTHON_VERSION))

.PHONY: run test test-fast worker lint format bench migrate seed check schema clean vendor

$(PY):
	@test -n "$(PYTHON)" || (echo "Python $(PYTHON_VERSION) not found: install it (pyenv install $(PYTHON_VERSION)) or pass PYTHON=/path/to/python$(PYTHON_VERSION)" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP) $@

## run: venv, install, migrate, demo data, server on http://127.0.0.1:$(PORT) (SQLite, eager tasks; PORT=8000 by default)
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --url http://127.0.0.1:$(PORT)
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-gptstudio.settings.local} $(VENV)/bin/uvicorn gptstudio.asgi:application --host 127.0.0.1 --port $(PORT) --reload

## test: venv, install, run the whole suite (groups needing absent services are listed as not run)
test: $(DEV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## test-fast: the quick loop while editing: 2 workers (pytest-xdist), the test database kept between
## runs, no browser or slow groups, no Redis (tasks eager), property tests on the short "fast" profile
test-fast: $(DEV_STAMP)
	REDIS_URL= HYPOTHESIS_PROFILE=fast $(PY) -m pytest -n $(TEST_WORKERS) --reuse-db -m "not browser and not slow" -q $(PYTEST_ARGS)

## worker: a Celery worker consuming tasks from REDIS_URL
worker: $(STAMP)
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-gptstudio.settings.local} $(VENV)/bin/celery -A gptstudio worker --loglevel=INFO

## lint: ruff lint + format check, migrations in sync, Django system checks
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

## schema: regenerate the committed OpenAPI snapshot (docs/openapi.yaml) after an intended API change
schema: $(STAMP)
	$(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: every benchmark script under benchmarks/ (prints JSON lines)
bench: $(DEV_STAMP)
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## vendor: re-create static/vendor/ from the pinned npm packages listed in scripts/vendor.sh
vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
