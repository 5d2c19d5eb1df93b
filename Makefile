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

.PHONY: serve site test test-fast bench figures chapter doctor clean help
.DEFAULT_GOAL := help

help:
	@echo "make serve      build the book and serve it at http://$(HOST) (rebuilds on every edit)"
	@echo "make site       build the book into site/ (strict: warnings are errors)"
	@echo "make test       run the whole test suite (unit, cache, site build, browser, accessibility, links)"
	@echo "make test-fast  the tests that need no site build or browser"
	@echo "make bench      time the build (ours next to mkdocs-jupyter's execution), the figures, fit, conv2d, the KV cache; Lighthouse the pages"
	@echo "make figures    train the stale figures (DLBOOK_TIER=smoke for the quick tier)"
	@echo "make chapter    scaffold a chapter: PART=architectures NAME=generative-models [TITLE=\"Generative models\"]"
	@echo "make doctor     report what is installed and what is missing"
	@echo "make clean      remove site/ and the build caches (not .venv)"

# System packages first (compiler, Python headers, Cairo, Pango, LaTeX): pip builds pycairo
# and manimpango against them while it fills the venv.
$(STAMP): pyproject.toml dlbook-build/pyproject.toml requirements.lock scripts/setup.sh
	@scripts/setup.sh system site
	@scripts/setup.sh python

serve: $(STAMP)
	@scripts/setup.sh system site
	$(BIN)/mkdocs serve -a $(HOST)

site: $(STAMP)
	@scripts/setup.sh system site
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	@scripts/setup.sh system test
	@scripts/setup.sh node
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

bench: $(STAMP)
	@scripts/setup.sh system test
	@scripts/setup.sh node benchmarks
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/figures.py
	$(BIN)/python benchmarks/train.py
	$(BIN)/python benchmarks/conv.py
	$(BIN)/python benchmarks/kv_cache.py
	$(BIN)/python benchmarks/site.py

figures: $(STAMP)
	$(BIN)/dlbook-build figures

# A new chapter's page, experiments, scenes and tests from the templates (dlbook_build/templates/)
ifneq ($(filter chapter,$(MAKECMDGOALS)),)
ifeq ($(and $(PART),$(NAME)),)
$(error usage: make chapter PART=architectures NAME=generative-models [TITLE="Generative models"])
endif
endif
chapter: $(STAMP)
	$(BIN)/dlbook-build chapter $(PART) $(NAME)$(if $(TITLE), --title "$(TITLE)")

doctor: $(STAMP)
	$(BIN)/dlbook-build doctor

clean:
	rm -rf site .cache
