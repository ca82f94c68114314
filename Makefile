# `make test` and `make demo` each set up their own virtual environment on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: test demo verify bench notebooks lab clean

$(VENV)/.installed: requirements.txt setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

test: $(VENV)/.installed
	$(PY) -m pytest

demo: $(VENV)/.installed
	$(VENV)/bin/rnn-zoo demo

verify: $(VENV)/.installed
	$(VENV)/bin/rnn-zoo verify

bench: $(VENV)/.installed
	$(PY) bench/bench_layers.py

# Re-run every notebook in full and store its outputs in the .ipynb (what the repository shows).
notebooks: $(VENV)/.installed
	$(PY) notebooks/run.py --write

# JupyterLab on the repository: notebooks/ (tutorials) and assignments/ (jupytext opens the .py files).
lab: $(VENV)/.installed
	$(VENV)/bin/jupyter lab --notebook-dir=.

clean:
	rm -rf $(VENV) build *.egg-info

# Build the course assignments with otter-grader: assignments/dist/<name>/{student,autograder},
# each solution graded by otter on the way (it must score full marks). See assignments/README.md.
.PHONY: assignments
assignments: $(VENV)/.installed
	$(PY) assignments/build.py
