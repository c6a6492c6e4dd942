# Two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Tests run in this many processes (pytest-xdist); most of a test's time is waiting on a server.
TEST_WORKERS ?= 2

.PHONY: demo test install lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Candor needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/candor init
	$(BIN)/candor demo
	CANDOR_PUBLIC_URL="$${CANDOR_PUBLIC_URL:-http://$(HOST):$(PORT)}" $(BIN)/candor build
	CANDOR_DEMO=1 $(BIN)/candor serve --host $(HOST) --port $(PORT)

test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.test-installed
	$(BIN)/python bench/serve.py

clean:
	rm -rf $(VENV) site site.builds .pytest_cache
