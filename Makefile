# Two commands on a fresh machine with Python 3.11 and make:  make run  |  make test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Where `make run` serves: make run ADDR=0.0.0.0:8000 (then list the name or address others use in ALLOWED_HOSTS)
ADDR ?= 127.0.0.1:8000
STAMP := $(VENV)/.installed

.PHONY: run test setup migrate demo lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo_users
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py runstack $(ADDR)

test: setup
	$(BIN)/python -m pytest
	$(BIN)/ruff check .

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Needs GNU gettext; the compiled .mo files are committed so a fresh machine does not.
messages: setup
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=data --ignore=bench
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles
