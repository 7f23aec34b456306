# The two commands of the README's quick start:
#   make run   - install everything into ./.venv and start the app
#   make test  - install everything (system packages too) and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv default-model benchmarks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

run: venv
	$(BIN)/landmark-tagger gui

test: venv
	bash scripts/system-deps.sh
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

# Rebuild assets/default.ltbundle from ../shared/data/landmarks/world (see docs/MODEL_CARD.md).
default-model: venv
	bash scripts/default-model.sh

clean:
	rm -rf $(VENV) .pytest_cache
