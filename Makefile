# dlbook: `make serve` to read and write the book, `make test` to check everything.
# Each target installs what it needs first (system packages, then .venv); once all is
# installed that set-up is a couple of file checks.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: serve site test test-fast bench figures doctor clean help
.DEFAULT_GOAL := help

help:
	@echo "make serve      build the book and serve it at http://$(HOST) (rebuilds on every edit)"
	@echo "make site       build the book into site/ (strict: warnings are errors)"
	@echo "make test       run the whole test suite (unit, cache, site build, browser, links)"
	@echo "make test-fast  the tests that need no site build or browser"
	@echo "make bench      time the build (ours next to mkdocs-jupyter's execution), the figures and fit"
	@echo "make figures    train the stale figures (DLBOOK_TIER=smoke for the quick tier)"
	@echo "make doctor     report what is installed and what is missing"
	@echo "make clean      remove site/ and the build caches (not .venv)"

$(STAMP): pyproject.toml requirements.lock scripts/setup.sh
	@scripts/setup.sh python

serve: $(STAMP)
	@scripts/setup.sh system site
	$(BIN)/mkdocs serve -a $(HOST)

site: $(STAMP)
	@scripts/setup.sh system site
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	@scripts/setup.sh system test
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/figures.py
	$(BIN)/python benchmarks/train.py

figures: $(STAMP)
	$(BIN)/dlbook figures

doctor: $(STAMP)
	$(BIN)/dlbook doctor

clean:
	rm -rf site .cache
