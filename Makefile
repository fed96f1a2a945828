# Two commands do all set-up (README): `make lab` and `make test`.
# Both create .venv/ (Python 3.11+) and install the project into it, editable, when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Jupyter refuses to run as root unless told; root is common in containers and dev boxes.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)
STAMP := $(VENV)/.installed

.PHONY: lab test lint notebooks labs format clean

# The file browser is rooted at the project (labs/, READMEs, hints.md reachable), notebook 00
# opens first, and project-level settings (.jupyter/lab/user-settings: no "Jupyter news"
# prompt, no update check) are used instead of the learner's home ones.
# tests/test_jupyterlab_launch.py starts JupyterLab through this target.
LAB_SETTINGS := $(CURDIR)/.jupyter/lab/user-settings

lab: $(STAMP)  ## open the workbook in JupyterLab
	JUPYTERLAB_SETTINGS_DIR="$(LAB_SETTINGS)" $(BIN)/jupyter lab $(LAB_FLAGS) \
		--ServerApp.root_dir="$(CURDIR)" $(LAB_ARGS) notebooks/00_start_here.ipynb

test: $(STAMP) lint  ## the whole validation: lint, maintainer suite, notebooks
	$(BIN)/pytest -n 2 tests
	$(BIN)/pytest -n 2 --dist loadfile -p nbval --nbval --nbval-current-env \
		--nbval-sanitize-with notebooks/sanitize.cfg notebooks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed (found %s); run: make PYTHON=python3.11 ..." % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable .
	touch $(STAMP)

clean:
	rm -rf $(VENV) .workbook .pytest_cache .ruff_cache
