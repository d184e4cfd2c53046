# Bærekraftsnettverket — the two commands a new user needs are `make report` and `make test`.
# Every target creates or updates the project's virtual environment (.venv) first.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
WORKERS ?=
SCHEDULER ?=

.DEFAULT_GOAL := help
.PHONY: help report data test test-fast lab preview bench clean quarto browser

help: ## list the targets
	@echo "Bærekraftsnettverket — targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

report: $(STAMP) ## build the whole site from the bundled data into reports/_site
	@$(MAKE) --no-print-directory quarto
	$(PY) -m analysis report $(if $(WORKERS),--workers $(WORKERS),) $(if $(FRESH),--fresh,) $(if $(SCHEDULER),--scheduler $(SCHEDULER),)

data: $(STAMP) ## build data/processed only (tidy tables and all statistics)
	$(PY) -m analysis build-data

test: $(STAMP) browser ## run the whole test suite (lint, unit, data, notebooks with nbval, site build, browser)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m analysis build-data
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest tests --nbval-lax notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

# The tests keep Python's compiled bytecode (__pycache__, git-ignored) even where PYTHONDONTWRITEBYTECODE is set:
# otherwise every test process compiles the package and rewrites the tests again (2.3 s per process to collect).
test-fast: $(STAMP) ## lint and the unit tests (no notebooks, no builds), on two processes
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest tests -m "not slow" -n 2 --dist loadfile -p no:cacheprovider -p no:nbval --hypothesis-profile fast

lab: $(STAMP) ## open JupyterLab with the project's environment as kernel
	$(PY) -m ipykernel install --sys-prefix --name baerekraft --display-name "Bærekraft (analysis)" >/dev/null
	$(VENV)/bin/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root,)

preview: $(STAMP) ## serve the built site on http://localhost:4200
	$(PY) -m analysis preview

bench: $(STAMP) ## run the benchmarks (prints medians; not part of the tests)
	$(PY) -m bench.bench_results
	$(PY) -m bench.bench_batch
	$(PY) -m bench.bench_annual
	$(PY) -m bench.bench_scale
	$(PY) -m bench.bench_maps
	$(PY) -m bench.bench_downloads

quarto: $(STAMP) ## try to install Quarto (needs internet beyond PyPI); the build falls back to smalldocs
	@if command -v quarto >/dev/null 2>&1 || [ -x $(VENV)/bin/quarto ] || [ -f $(VENV)/.no-quarto ]; then :; \
	else echo "Trying to install Quarto (pip install quarto-cli; it downloads Quarto's binaries) ..."; \
	  if timeout 300 $(PY) -m pip install --quiet quarto-cli >/dev/null 2>&1 && [ -x $(VENV)/bin/quarto ]; then \
	    echo "Quarto installed."; \
	  else echo "Quarto could not be installed here; the site is rendered with smalldocs instead."; \
	    touch $(VENV)/.no-quarto; fi; fi

browser: ## install Chromium for the browser tests where this machine allows it (Debian/Ubuntu as root)
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium for the browser tests (apt-get install chromium) ..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "Chromium could not be installed: the browser tests will be reported as skipped."; \
	else echo "Chromium is missing and cannot be installed here (needs root and apt-get):" \
	  "the browser tests will be reported as skipped. Install it with: apt-get install chromium"; fi

clean: ## remove generated data, executed notebooks and the site (keeps .venv)
	rm -rf data/processed data/processed.versions reports/_build reports/_build-* reports/_failed reports/_logs reports/_cache reports/_annual reports/_site reports/_site.versions data/cache .test-cache
