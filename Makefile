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
#   make notebooks  re-execute every book/*.ipynb in place, top to bottom, in a fresh kernel
#   make bench      run every benchmarks/*.py with the venv's python
#   make clean      remove _build
#   make venv       create / update .venv from requirements.txt and pyproject.toml
#
# Every target first makes sure .venv is up to date: .venv/.stamp is rebuilt whenever
# requirements.txt or pyproject.toml is newer than it.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.stamp

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
NB_ENV := MPLBACKEND=module://matplotlib_inline.backend_inline

NBVAL     = $(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg -p no:cacheprovider
TESTS     = $(wildcard tests/test_*.py tests/*_test.py)
BROWSER_TESTS = $(wildcard tests/test_browser_*.py)
NOTEBOOKS = $(sort $(wildcard book/*.ipynb))
BENCHES   = $(sort $(wildcard benchmarks/*.py))

.PHONY: venv test test-browser test-portable book student notebooks bench clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@if [ ! -x $(PY) ]; then $(PYTHON3) -m venv $(VENV); fi
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install -e . --no-deps
	@touch $(STAMP)

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
test-browser: $(STAMP)
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
