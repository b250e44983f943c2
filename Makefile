# make install: build .venv with everything (idempotent); make test / demo / bench / lint use it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: install test demo bench lint clean

install: $(STAMP)
	@# Debian's chromium drives the browser tests (tests/test_serve_browser.py); nothing to do once present.
	@# Installing it needs root or password-less sudo (never a password prompt); without either, or without
	@# apt-get, make install still succeeds and says how to get it.
	@if [ -x "$(CHROMIUM)" ] || command -v chromium >/dev/null 2>&1; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "note: no apt-get here; install chromium yourself (or set TRACKER_CHROMIUM) or the browser tests will be skipped"; \
	else \
	  if [ "$$(id -u)" = 0 ]; then AS=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then AS="sudo -n"; \
	  else AS=none; fi; \
	  if [ "$$AS" = none ]; then \
	    echo "note: chromium is missing and installing it needs root: run 'sudo apt-get install chromium'" \
	      "(the browser tests are skipped until then)"; \
	  else \
	    echo "installing Debian's chromium for the browser tests$${AS:+ (sudo)}"; \
	    { $$AS apt-get update -qq && $$AS apt-get install -y -qq chromium; } \
	      || echo "warning: apt-get could not install chromium; the browser tests will be skipped"; \
	  fi; \
	fi

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU build from the machine's package cache, never a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

test: install
	$(BIN)/pytest -q

demo: install
	$(BIN)/tracker demo

bench: install
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lint: install
	$(BIN)/ruff check tracker tests bench

clean:
	rm -rf $(VENV) .pytest_cache
