# The two commands of the README's quick start:
#   make run   - install everything into ./.venv and start the app
#   make test  - install everything (system packages too) and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv default-model clean

$(BIN)/python:
	@echo "setting up $(VENV) (first run only)..." >&2
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { bash scripts/system-deps.sh --venv && $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

venv: $(VENV)/.installed

# With a display, make sure Qt's window libraries are there first; without one,
# `landmark-tagger gui` prints one line with the CLI equivalent (exit 2, not an error here).
run: venv
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then bash scripts/system-deps.sh; fi
	@$(BIN)/landmark-tagger gui $(if $(FOLDER),"$(FOLDER)") || { status=$$?; [ $$status -eq 2 ] || exit $$status; }

# The suite runs in TEST_WORKERS processes (pytest-xdist), each test file whole in one of
# them so its module fixtures are built once; TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2

test: venv
	@bash scripts/system-deps.sh
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

# Rebuild assets/default.ltbundle from ../shared/data/landmarks/world (see docs/MODEL_CARD.md).
default-model: venv
	bash scripts/default-model.sh

clean:
	rm -rf $(VENV) .pytest_cache
