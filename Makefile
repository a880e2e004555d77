# aelib: build, test and run the book.
#
#   make book       build the HTML book strictly (-W) into _build/html (index.html)
#   make test       pytest on tests/, then nbval re-executes every book/*.ipynb and compares outputs,
#                   then the self-test of the graded exercises, then make test-browser
#   make test-browser  the browser tests (tests/test_browser_*.py, marker `browser`) in headless
#                   Chromium; installs Debian's chromium with apt-get if missing; needs make book first
#   make test-portable  nbval under other BLAS kernels, CPU features and thread counts (see below)
#   make student    the student edition into _build/student (no solutions; otter-graded answer cells),
#                   then the leak search and the self-test of the graded exercises
#   make lab        JupyterLab (pinned, with MyST rendering) on book/, with the kernel `aelib`
#                   registered for every Jupyter front end and make test's environment
#   make kernel     only register the kernel `aelib` ("Python (aelib)") in the user's Jupyter folder
#   make notebook-kernelspec  set every book/*.ipynb's kernelspec metadata to the kernel `aelib`
#   make notebooks  re-execute every book/*.ipynb in place, top to bottom, in a fresh kernel
#   make bench      run every benchmarks/*.py with the venv's python
#   make clean      remove _build
#   make venv       create / update .venv from requirements.txt and pyproject.toml
#
# Every target first makes sure .venv is up to date: .venv/.stamp is rebuilt whenever
# requirements.txt or pyproject.toml is newer than it; .venv/.stamp-lab (JupyterLab, for make lab
# and make test-browser) whenever requirements-lab.txt or .venv/.stamp is.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.stamp
LAB_STAMP := $(VENV)/.stamp-lab

# Determinism, and headless plotting wherever code runs.
export PYTHONHASHSEED := 0
# One BLAS thread everywhere code runs: the chapters' printed numbers then do not depend on
# the machine's core count (a multi-threaded BLAS sums in a different order, and some runs
# in the book are chaotic enough to show it), and small products avoid threading overhead.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export MPLBACKEND := Agg
# Notebook kernels (make notebooks, and nbval in make test) must use the inline backend instead:
# under Agg, plt.show() displays nothing, so the book would lose its figures, and a stored figure
# output would no longer match a fresh run. This is the backend ipykernel picks by default; it
# is set explicitly so that the two runs always agree. It needs no display either.
NB_MPLBACKEND := module://matplotlib_inline.backend_inline
NB_ENV := MPLBACKEND=$(NB_MPLBACKEND)

# The kernel make lab registers, and the environment it carries: make test's, so that a chapter
# run by hand in any Jupyter (a server started by hand, VS Code) prints what nbval checks.
KERNEL_NAME := aelib
KERNEL_DISPLAY_NAME := Python (aelib)
KERNEL_ENV := PYTHONHASHSEED=$(PYTHONHASHSEED) OPENBLAS_NUM_THREADS=$(OPENBLAS_NUM_THREADS) \
  OMP_NUM_THREADS=$(OMP_NUM_THREADS) MKL_NUM_THREADS=$(MKL_NUM_THREADS) MPLBACKEND=$(NB_MPLBACKEND)
# make lab's server: book/ as its root; no news feed, update check or PyPI extension manager
# (they would reach the network); --allow-root only when run as root (a container, CI).
# LAB_OPTS adds options, e.g. make lab LAB_OPTS="--no-browser --port=9999".
LAB_OPTS ?=
LAB_ARGS = --ServerApp.root_dir=book --LabApp.news_url=None \
  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
  --LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_OPTS)

NBVAL     = $(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg -p no:cacheprovider
TESTS     = $(wildcard tests/test_*.py tests/*_test.py)
BROWSER_TESTS = $(wildcard tests/test_browser_*.py)
NOTEBOOKS = $(sort $(wildcard book/*.ipynb))
BENCHES   = $(sort $(wildcard benchmarks/*.py))

.PHONY: venv test test-browser test-portable lab kernel notebook-kernelspec book student notebooks bench clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@if [ ! -x $(PY) ]; then $(PYTHON3) -m venv $(VENV); fi
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install -e . --no-deps
	@touch $(STAMP)

# Constrained by requirements.txt, so installing JupyterLab moves none of the book's pins. The
# venv's JupyterLab settings overrides turn off the news feed and update check, so that
# JupyterLab neither asks about them nor fetches them (see also LAB_ARGS).
LAB_OVERRIDES := {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}
$(LAB_STAMP): requirements-lab.txt $(STAMP)
	$(PY) -m pip install -r requirements-lab.txt -c requirements.txt
	mkdir -p $(VENV)/share/jupyter/lab/settings
	echo '$(LAB_OVERRIDES)' > $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(LAB_STAMP)

# ipykernel install --user writes <Jupyter data dir>/kernels/aelib (~/.local/share/jupyter on
# Linux, or $$JUPYTER_DATA_DIR), where every Jupyter front end and VS Code look. It points at this
# clone's .venv, and is rewritten each time, so the last clone to run make lab or make kernel wins.
kernel: $(STAMP)
	$(PY) -m ipykernel install --user --name $(KERNEL_NAME) --display-name "$(KERNEL_DISPLAY_NAME)" \
	  $(foreach kv,$(KERNEL_ENV),--env $(subst =, ,$(kv)))

lab: $(LAB_STAMP) kernel
	env $(KERNEL_ENV) $(VENV)/bin/jupyter lab $(LAB_ARGS)

# The chapters name the kernel `aelib` in their metadata, so JupyterLab and VS Code start it (with
# its environment) when a chapter is opened. Neither nbval (--nbval-current-env) nor make notebooks
# (kernel_name="python3") reads this name. Re-runnable: rewrites only notebooks that differ.
define SET_KERNELSPEC
import sys
import nbformat
spec = {"name": sys.argv[1], "display_name": sys.argv[2], "language": "python"}
for path in sys.argv[3:]:
    nb = nbformat.read(path, as_version=4)
    if nb.metadata.get("kernelspec") != spec:
        nb.metadata["kernelspec"] = spec
        nbformat.write(nb, path)
        print(f"{path}: kernelspec {spec['name']}")
endef
export SET_KERNELSPEC

notebook-kernelspec: $(STAMP)
	$(PY) -c "$$SET_KERNELSPEC" "$(KERNEL_NAME)" "$(KERNEL_DISPLAY_NAME)" $(NOTEBOOKS)

# pytest exits 5 when it collects nothing, so each step runs only when it has something to run.
test: $(STAMP)
ifneq ($(TESTS),)
	$(PY) -m pytest tests -m "not browser"
else
	@echo "make test: no tests/test_*.py yet, skipping the pytest step"
endif
ifneq ($(NOTEBOOKS),)
	$(NB_ENV) $(NBVAL) book/
else
	@echo "make test: no book/*.ipynb yet, skipping the nbval step"
endif
	$(PY) -m course.selftest -v
	$(MAKE) --no-print-directory test-browser

# The browser tests read the built book (_build/html): run make book first (.ci/run does).
test-browser: $(STAMP) $(LAB_STAMP)
ifneq ($(BROWSER_TESTS),)
	bash tests/ensure_chromium.sh
	$(PY) -m pytest $(BROWSER_TESTS) -m browser
else
	@echo "make test-browser: no tests/test_browser_*.py yet, skipping"
endif

# The committed outputs must reproduce on readers' machines, not only on the one that wrote them.
# test-portable re-runs nbval over every chapter in three configurations and reports each:
#   default   the Makefile's environment (one BLAS thread, the CPU's own kernels), as make test;
#   haswell   OpenBLAS forced to its AVX2 kernels and numpy's AVX-512 loops switched off, as on a
#             typical AVX2 laptop (needs an x86-64 CPU with AVX2);
#   threads2  two BLAS threads, as a student's Jupyter gets by default (other summation order).
# Every configuration runs even when an earlier one fails; the target fails if any did.
PORTABLE_CONFIGS := default haswell threads2
PORTABLE_ENV_default  :=
PORTABLE_ENV_haswell  := OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"
PORTABLE_ENV_threads2 := OPENBLAS_NUM_THREADS=2

test-portable: $(STAMP)
	@mkdir -p _build/portable; failed=""; \
	for cfg in $(PORTABLE_CONFIGS); do \
	  case $$cfg in \
	    default) cfg_env='$(PORTABLE_ENV_default)';; \
	    haswell) cfg_env='$(PORTABLE_ENV_haswell)';; \
	    threads2) cfg_env='$(PORTABLE_ENV_threads2)';; \
	  esac; \
	  echo "== nbval [$$cfg] $$cfg_env"; \
	  if eval env $(NB_ENV) $$cfg_env $(NBVAL) -q book/ > _build/portable/$$cfg.log 2>&1; then :; else failed="$$failed $$cfg"; fi; \
	  grep -E '^(FAILED|ERROR) ' _build/portable/$$cfg.log | sed 's/ - .*//' || true; \
	  echo "[$$cfg] $$(tail -n 1 _build/portable/$$cfg.log)"; \
	done; \
	echo "== test-portable: per-configuration logs in _build/portable/"; \
	if [ -n "$$failed" ]; then echo "test-portable: failed in:$$failed"; exit 1; fi

# --all re-reads every page: an incremental build would skip unchanged pages and so hide the
# warnings they raised last time, letting a second `make book` pass where the first failed.
book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W --keep-going --all
	@echo "Book: $(CURDIR)/_build/html/index.html"

# The student edition (README, "Teaching with this book"): course/edition.py writes the student
# notebooks, the otter tests and autograders, and a copy of the book's sources without solutions
# with _config.student.yml (hide_solutions); jupyter-book builds it strictly like `make book`.
# Then no solution may appear in any file under _build/student, and the self-test grades the
# instructor's solutions (all pass) and the untouched stubs (all fail).
STUDENT := _build/student
student: $(STAMP)
	rm -rf $(STUDENT)
	$(PY) -m course.edition $(STUDENT)
	$(VENV)/bin/jupyter-book build $(STUDENT)/src --config $(STUDENT)/src/_config.student.yml \
	  --path-output $(STUDENT)/jb -W --keep-going --all
	mv $(STUDENT)/jb/_build/html $(STUDENT)/html
	rm -rf $(STUDENT)/jb $(STUDENT)/src
	$(PY) -m course.leaks $(STUDENT)
	$(PY) -m course.selftest -v
	@echo "Student edition: $(CURDIR)/$(STUDENT)/html/index.html, notebooks in $(STUDENT)/notebooks"

# Each notebook runs top to bottom in its own fresh python3 kernel (the venv's ipykernel) and is
# saved in place with its new outputs. The kernel's working directory is book/, the notebooks' own
# folder, as under nbval and in a reader's Jupyter. It uses nbclient (installed with myst-nb)
# rather than nbconvert, which the pinned tools do not include. Cells tagged raises-exception may
# fail; any other error stops make. Timing metadata is not recorded, so re-running changes only
# outputs.
define EXECUTE_NOTEBOOK
import os, sys
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
               resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
nbformat.write(nb, path)
endef
export EXECUTE_NOTEBOOK

notebooks: $(STAMP)
	@for nb in $(NOTEBOOKS); do \
	  echo "executing $$nb"; \
	  $(NB_ENV) $(PY) -c "$$EXECUTE_NOTEBOOK" "$$nb"; \
	done

# Benchmarks measure speed as users get it: the BLAS thread pins above are lifted here
# (pass e.g. `--threads 1` to a script to measure one thread).
bench: $(STAMP)
	@for b in $(BENCHES); do \
	  echo "== $$b"; \
	  env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS -u MKL_NUM_THREADS $(PY) "$$b"; \
	done

clean:
	rm -rf _build
