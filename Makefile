# make install: build .venv with everything (idempotent); make test / demo / bench / lint use it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install test demo bench lint clean

install: $(STAMP)
	@# Debian's chromium drives the browser tests (tests/test_serve_browser.py); nothing to do once present.
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO apt-get install -y chromium \
	    || echo "warning: chromium could not be installed; the browser tests will be skipped"; \
	else echo "note: no apt-get here; install chromium yourself or the browser tests will be skipped"; fi

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
