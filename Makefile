# QuietPage: `make run` starts it, `make test` checks it. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test

.PHONY: run test setup setup-test browser lint bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make run` installs what QuietPage needs to run, no test tools; pip shows its progress.
$(RUNTIME): $(BIN)/python pyproject.toml
	@echo "Installing QuietPage and what it needs into $(VENV) (the first time takes a minute)…"
	$(BIN)/python -m pip install --progress-bar on -e .
	touch $(RUNTIME)

$(TESTING): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TESTING)

setup: $(RUNTIME)
setup-test: $(TESTING)

# Byte-compiled first: an editable install (and PYTHONDONTWRITEBYTECODE) would otherwise
# compile every module from source at each start, which costs time and memory.
run: setup
	$(BIN)/python -m compileall -q proxy
	$(BIN)/quietpage run $(ARGS)

# Chromium comes from Debian (Playwright's own browser download cannot run here), and so
# do epubcheck, which the library's tests run on exported books, and certutil
# (libnss3-tools), with which `quietpage ca --install` trusts the CA in the browsers.
browser:
	@{ command -v chromium && command -v certutil && test -f /usr/share/java/epubcheck.jar; } >/dev/null 2>&1 || { \
	  pkgs="chromium epubcheck libnss3-tools"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; fi; }

# The layers of docs/architecture.md, held (contracts in pyproject.toml).
lint: setup-test
	$(BIN)/lint-imports

test: setup-test browser lint
	$(BIN)/python -m pytest -q

bench: setup-test
	$(BIN)/python tests/benchmarks/bench_aeb_clean.py
	$(BIN)/python tests/benchmarks/bench_clutter.py --lists
	$(BIN)/python tests/benchmarks/bench_proxy.py
	$(BIN)/python tests/benchmarks/bench_reader.py
	$(BIN)/python tests/benchmarks/bench_lists.py

clean-venv:
	rm -rf $(VENV)
