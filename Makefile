# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make demo   the full offline release rehearsal on an embedded local Hub
#   make test   the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install browser bench clean llama-tools

# llama.cpp's llama-imatrix and llama-quantize (`gaokerena export gguf --imatrix`), built once, CPU only, from the
# llama.cpp that llama-cpp-python's sdist vendors: the same source as the Python bindings the exporter uses.
LLAMA_CPP_PYTHON := 0.3.36
GL := .gl
LLAMA_SRC := $(GL)/llama_cpp_python-$(LLAMA_CPP_PYTHON)/vendor/llama.cpp
LLAMA_BUILD := $(GL)/build-$(LLAMA_CPP_PYTHON)
LLAMA_TOOLS := $(LLAMA_BUILD)/bin/llama-quantize

$(LLAMA_TOOLS): | $(STAMP)
	mkdir -p $(GL)
	test -f $(GL)/llama_cpp_python-$(LLAMA_CPP_PYTHON).tar.gz || $(PYTHON) -m pip download --quiet --no-binary :all: \
		--no-deps --dest $(GL) llama-cpp-python==$(LLAMA_CPP_PYTHON)
	test -d $(LLAMA_SRC) || tar -xzf $(GL)/llama_cpp_python-$(LLAMA_CPP_PYTHON).tar.gz -C $(GL) \
		llama_cpp_python-$(LLAMA_CPP_PYTHON)/vendor/llama.cpp
	command -v cmake >/dev/null 2>&1 || $(BIN)/pip install --quiet cmake  # PyPI's cmake where Debian's is absent
	PATH="$$PATH:$(CURDIR)/$(BIN)" cmake -S $(LLAMA_SRC) -B $(LLAMA_BUILD) -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
		-DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
		-DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_TOOLS=ON -DGGML_NATIVE=ON >/dev/null
	PATH="$$PATH:$(CURDIR)/$(BIN)" cmake --build $(LLAMA_BUILD) --target llama-imatrix llama-quantize -j2

llama-tools: $(LLAMA_TOOLS)

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

demo: install llama-tools
	HF_HUB_DISABLE_TELEMETRY=1 $(BIN)/gaokerena rehearse $(DEMO_ARGS)

test: install browser llama-tools
	HF_HUB_DISABLE_TELEMETRY=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install llama-tools
	for script in bench/*_bench.py; do HF_HUB_DISABLE_TELEMETRY=1 $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) rehearsal artifacts .pytest_cache
