# QuietPage: `make run` starts it, `make test` checks it. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup browser bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Byte-compiled first: an editable install (and PYTHONDONTWRITEBYTECODE) would otherwise
# compile every module from source at each start, which costs time and memory.
run: setup
	$(BIN)/python -m compileall -q proxy
	$(BIN)/quietpage run $(ARGS)

# Chromium comes from Debian (Playwright's own browser download cannot run here), and so
# does epubcheck, which the library's tests run on exported books.
browser:
	@{ command -v chromium && test -f /usr/share/java/epubcheck.jar; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium epubcheck >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium epubcheck >/dev/null; fi; }

test: setup browser
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python tests/benchmarks/bench_aeb_clean.py
	$(BIN)/python tests/benchmarks/bench_proxy.py
	$(BIN)/python tests/benchmarks/bench_reader.py
	$(BIN)/python tests/benchmarks/bench_lists.py

clean-venv:
	rm -rf $(VENV)
