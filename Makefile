# Co-production Hub. `make run` serves the app; `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK_VENV := $(VENV)/lock-tools
LOCK_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
FLASK := $(BIN)/flask --app survey_app
PYTEST_ARGS ?=
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: run test lint bench setup lock translations extract update-translations migrate demo clean help

help:
	@echo "make run    set up and serve on http://$(HOST):$(PORT) (SQLite in instance/)"
	@echo "make test   set up, check the code with ruff and run the whole test suite"
	@echo "make lint   only the ruff check (rules in pyproject.toml)"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make demo   load fictional demo data into an empty database"
	@echo "make lock   refresh requirements.lock from pyproject.toml (LOCK_ARGS=--upgrade for newer versions)"

# Installs exactly the pinned, hash-checked versions in requirements.lock (runtime, dev and the redis extra),
# then the project itself without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)." % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; echo "requirements.lock does not match pyproject.toml: run make lock"; exit 1; }
	touch $(STAMP)

# Refresh requirements.lock from pyproject.toml (pip-compile, in a venv of its own). Keeps the pins that still
# fit; `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed versions.
$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet 'pip-tools>=7.4,<8'

lock: $(LOCK_VENV)/bin/pip-compile
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --extra dev --extra redis --strip-extras \
		--no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --output-file requirements.lock pyproject.toml

setup: $(STAMP) translations

translations: $(STAMP) $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel -q compile --use-fuzzy -d translations -l $*

extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -k lazy_npgettext:1c,2,3 --no-location --sort-output \
		--project "Co-production Hub" --copyright-holder "One Halton" -o translations/messages.pot .

update-translations: extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching

migrate: setup
	$(FLASK) db upgrade

run: migrate
	@$(FLASK) users setup-link --base-url "$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}"
	@echo "Serving the Co-production Hub on http://$(HOST):$(PORT) (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) wsgi:app

demo: migrate
	$(FLASK) demo load

test: setup lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff with the rule set in pyproject.toml [tool.ruff.lint]; `$(BIN)/ruff check --fix .` fixes what it safely can.
lint: setup
	$(BIN)/ruff check --quiet .

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo .pytest_cache
