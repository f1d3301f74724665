# Co-production Hub. `make run` serves the app; `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
FLASK := $(BIN)/flask --app survey_app
PYTEST_ARGS ?=
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: run test bench setup translations extract update-translations migrate demo clean help

help:
	@echo "make run    set up and serve on http://$(HOST):$(PORT) (SQLite in instance/)"
	@echo "make test   set up and run the whole test suite"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make demo   load fictional demo data into an empty database"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)." % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP) $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel -q compile --use-fuzzy -d translations -l $*

extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
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

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo .pytest_cache
