# The README's commands. `make run` and `make test` each install what they need first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export QT_QPA_PLATFORM ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),,offscreen)

.PHONY: run test lint format bench system-deps test-deps clean train

system-deps:
	PYTHON=$(PYTHON) bash packaging/system-deps.sh

test-deps:
	PYTHON=$(PYTHON) bash packaging/system-deps.sh test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel

$(VENV)/.stamp-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The tests cover training too (on a tiny model), so they need the [train] extra. torch is
# installed first with its exact pin: any other spec pulls gigabytes of CUDA packages.
$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[dev,train]"
	touch $@

run: system-deps $(VENV)/.stamp-app
	$(BIN)/pictovoz

test: test-deps $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.stamp-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: system-deps $(VENV)/.stamp-app
	$(BIN)/python bench/latency.py --record docs/BENCHMARKS.md
	$(BIN)/python bench/ui_latency.py --record docs/BENCHMARKS.md
	$(BIN)/python bench/scanning_cost.py --record docs/BENCHMARKS.md
	$(BIN)/python bench/first_launch.py --record docs/BENCHMARKS.md

# The shipped adapter: corpus -> fine-tune (about an hour on 2 cores) -> models/ -> report.
train: system-deps $(VENV)/.stamp-dev
	$(BIN)/pictovoz-train prepare
	$(BIN)/pictovoz-train train
	$(BIN)/pictovoz-train merge
	$(BIN)/pictovoz-train evaluate

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# --- offline installer (PyInstaller one-folder bundle; see packaging/README.md) ----------------
.PHONY: package package-test

package: system-deps $(VENV)/.stamp-app
	$(BIN)/pip install --quiet "pyinstaller==6.*"
	bash packaging/build.sh

package-test: package
	bash packaging/test_bundle.sh dist/pictovoz
