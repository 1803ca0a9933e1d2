# The two commands of README: `make run` and `make test`. Both work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Not `?=`, which keeps an empty value (`SHURABA_DATA_DIR= make run`): empty means unset, as in settings.
ifeq ($(strip $(SHURABA_DATA_DIR)),)
override SHURABA_DATA_DIR := $(CURDIR)/var
endif
export SHURABA_DATA_DIR PORT

.PHONY: run test lint types check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "shuraba needs Python 3.11; set PYTHON=/path/to/python3.11")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,bench]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/shuraba setup
	$(BIN)/shuraba serve --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(VENV)/.dev-installed
	$(BIN)/mypy

test: lint types
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache test-artifacts
