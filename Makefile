# `make test` and `make demo` each set up their own virtual environment on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# TensorFlow's C++ log level where TensorFlow runs in-process (tests, notebooks, bench, lab);
# the rnn-zoo command (demo, verify) hides them itself unless run as rnn-zoo --verbose COMMAND.
test notebooks bench lab assignments: export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: test demo verify bench notebooks lab clean

# The editable install is a .pth entry for the repository root (setup.cfg's package_dir), so a
# folder named rnn_zoo in the working directory (the clone itself, say) cannot shadow the package.
$(VENV)/.installed: requirements.txt setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

test: $(VENV)/.installed
	$(PY) -m pytest -n 2 --dist loadfile

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
