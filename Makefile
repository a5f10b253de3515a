# One command builds everything: `make`. Another runs the tests: `make test`.
# See README.md. Targets: all (default), data, notebooks, paper, test, clean, distclean,
# metadata (regenerate CITATION.cff and the README's Binder link), dictionary (regenerate
# docs/data-dictionary.md), lock (re-pin the lock), html (the executed notebooks as HTML),
# release (copy the exhibit list and runtime into README), package (the replication package;
# DRAFT=1 for a draft), watch (rebuild the PDF on every save).

SHELL := /bin/bash
.DEFAULT_GOAL := all

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
ENV := $(VENV)/.installed
# On Binder the image's own environment (environment.yml, same pins as the lock) is used:
# `make SYSTEM_ENV=1` runs everything with the `python` on PATH and builds no venv.
ifdef SYSTEM_ENV
PY := python
ENV := build/.system-env
endif

# Python 3.11 is required (the lock is resolved for it; tomllib is needed from the start).
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
ifneq ($(shell $(PYTHON) -c 'import sys; print(sys.version_info[:2] == (3, 11))' 2>/dev/null),True)
$(error $(PYTHON) is not Python 3.11. Install Python 3.11 and run `make PYTHON=python3.11`)
endif
endif

# Notebook rules, raw-file list, paper inputs and the data mode, generated from
# notebooks/pipeline.toml, data/manifest.toml and the contents of data/private/ with the
# system Python (standard library only), on every run: files are rewritten only when their
# content changes, so a changed mode or parameter reruns exactly the notebooks it concerns.
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
PIPELINE_ERROR := $(shell PYTHONPATH=src $(PYTHON) -m translocal.build.pipeline 2>&1)
ifneq ($(PIPELINE_ERROR),)
$(error notebooks/pipeline.toml: $(PIPELINE_ERROR))
endif
include build/pipeline.mk
endif

.PHONY: all env data notebooks paper html test clean distclean metadata lock release bench package dictionary watch

all: env data notebooks paper html build/runtime.md

env: $(ENV)

# The environment: a venv with a pinned uv, then exactly the versions in requirements.lock,
# byte-compiled (this machine sets PYTHONDONTWRITEBYTECODE; without compiled bytecode every
# kernel start recompiles), and the project's package installed editable.
ifdef SYSTEM_ENV
$(ENV):
	@mkdir -p build && touch $@
else
$(ENV): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip sync --quiet --python $(PY) --compile-bytecode requirements.lock
	$(UV) pip install --quiet --python $(PY) --compile-bytecode --no-deps -e .
	@touch $@
endif

# Public inputs: fetched by pinned URL (or from $$TRANSLOCAL_DATA_MIRROR) and verified.
# Missing files are fetched; when the manifest changes every file is checked again and a
# file is replaced (getting a new timestamp, so the notebooks reading it rerun) only if its
# bytes differ from the manifest's.
data: build/data.verified build/register.validated $(VALIDATED_PRIVATE)

$(RAW_FILES) &: | $(ENV)
	$(PY) -m translocal.build.acquire

build/data.verified: data/manifest.toml | $(RAW_FILES)
	$(PY) -m translocal.build.acquire
	@touch $@

# The public register of agreements (data/public_agreements.csv), checked against its codebook
# (translocal.register) before any notebook runs: a bad row stops here, naming line and column.
build/register.validated: data/public_agreements.csv data/crosswalks/admin1_partners.csv \
  data/crosswalks/partner_points.csv src/translocal/register.py src/translocal/private.py | $(ENV) build/data.verified
	$(PY) -m translocal.register
	@touch $@

notebooks: $(NOTEBOOK_TARGETS)

paper: paper/manuscript.pdf paper/manuscript.docx

paper/values.json: $(VALUE_PARTS) src/translocal/build/values.py | $(ENV)
	@$(PY) -m translocal.build.values $(VALUE_PARTS)
	@touch $@

# The exhibit map (which notebook and cell made each figure, table and value the manuscript
# uses); it also fails, naming it, on anything the manuscript uses that no notebook makes.
paper/exhibits.json build/exhibits.md &: paper/manuscript.typ paper/values.json $(NOTEBOOK_TARGETS) notebooks/pipeline.toml \
  src/translocal/build/exhibits.py | $(ENV)
	@$(PY) -m translocal.build.exhibits
	@touch paper/exhibits.json build/exhibits.md

paper/manuscript.pdf: $(wildcard paper/*.typ paper/*.bib) paper/values.json paper/exhibits.json $(PAPER_INPUTS) \
  pyproject.toml data/manifest.toml notebooks/pipeline.toml src/translocal/build/paper.py | $(ENV)
	@$(PY) -m translocal.build.paper
	@touch $@

# The manuscript for co-authors as Word (pandoc from the same sources; the PDF is the record).
paper/manuscript.docx: paper/manuscript.typ paper/references.bib paper/values.json paper/exhibits.json $(PAPER_INPUTS) \
  pyproject.toml src/translocal/build/docx.py | $(ENV)
	@$(PY) -m translocal.build.docx
	@touch $@

# The executed notebooks as a browsable HTML supplement.
HTML_TARGETS := $(patsubst build/notebooks/%.ipynb,build/html/%.html,$(NOTEBOOK_TARGETS))
html: $(HTML_TARGETS)

build/html/%.html: build/notebooks/%.ipynb src/translocal/build/html.py | $(ENV)
	@$(PY) -m translocal.build.html $*
	@touch $@

# The runtime statement (git-ignored): time and memory of each notebook, and the machine.
build/runtime.md: $(NOTEBOOK_TARGETS) src/translocal/build/report.py | $(ENV)
	@$(PY) -m translocal.build.report
	@touch $@

# A deliberate step before publishing: copy the list of exhibits and the latest runtime
# statement into the README's generated sections (the only target that edits tracked files
# besides `metadata` and `lock`).
release: all
	$(PY) -m translocal.build.metadata --release

# The replication package (build/package/*.zip): sources, the redistributable public files,
# the build's logs and a sha256 manifest; see translocal.build.package. Refused, before anything
# is built, in real mode and while release settings are missing (DRAFT=1: a draft).
package: $(ENV)
	@$(PY) -m translocal.build.package --check $(if $(DRAFT),--draft)
	@$(MAKE) --no-print-directory all
	$(PY) -m translocal.build.package $(if $(DRAFT),--draft)

# For the author: keep the PDF current while editing the manuscript, a notebook or the code
# (Ctrl-C stops; translocal.build.watch). Builds everything once first.
watch: all
	@$(PY) -m translocal.build.watch

# Measurements against the goals (one run in a fresh clone; writes build/bench.md).
bench: all
	$(PY) -m translocal.build.bench

# The tests need the full build: they check the executed notebooks (nbval re-executes each
# and compares outputs), the frame, the values and the PDF.
test: all
	$(PY) -m pytest tests --nbval $(NOTEBOOK_TARGETS)

metadata: $(ENV)
	$(PY) -m translocal.build.metadata

# docs/data-dictionary.md from the schemas in src/translocal/dictionary.py (a test fails when stale).
dictionary: $(ENV)
	$(PY) -m translocal.dictionary

lock: $(ENV)
	$(UV) pip compile pyproject.toml --extra test --extra build --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --no-header -o requirements.lock
	$(PY) -m translocal.build.metadata

clean:
	rm -rf build data/raw data/interim data/processed data/synthetic \
	  paper/figures paper/tables paper/values.json paper/exhibits.json paper/manuscript.pdf paper/manuscript.docx

distclean: clean
	rm -rf $(VENV)
