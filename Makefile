# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make demo   the full offline release rehearsal on an embedded local Hub
#   make test   the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install browser bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU wheel first: a looser torch pin would pull several GB of CUDA packages.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser of its own).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: install
	HF_HUB_DISABLE_TELEMETRY=1 $(BIN)/gaokerena rehearse $(DEMO_ARGS)

test: install browser
	HF_HUB_DISABLE_TELEMETRY=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	for script in bench/*_bench.py; do HF_HUB_DISABLE_TELEMETRY=1 $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) rehearsal artifacts .pytest_cache
