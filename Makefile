# aelib: build, test and run the book.
#
#   make book       build the HTML book strictly (-W) into _build/html (index.html)
#   make test       pytest on tests/, then the notebook check re-executes every book/*.ipynb and compares
#                   its outputs (decimals within one unit of their last digit), then the self-test
#                   of the graded exercises, then make test-browser; chapters and tests run in
#                   parallel on every core (JOBS=auto; JOBS=1 runs them one after another)
#   make nbcheck NB=book/06_experiments.ipynb   the notebook check on one chapter (or several)
#   make test-browser  the browser tests (tests/test_browser_*.py, marker `browser`) in headless
#                   Chromium; installs Debian's chromium with apt-get if missing; needs make book first
#   make test-portable  unit tests and notebook check under other BLAS kernels, CPU features and
#                   thread counts (see below)
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
# Notebook kernels (make notebooks, and the notebook check in make test) must use the inline backend instead:
# under Agg, plt.show() displays nothing, so the book would lose its figures, and a stored figure
# output would no longer match a fresh run. This is the backend ipykernel picks by default; it
# is set explicitly so that the two runs always agree. It needs no display either.
NB_MPLBACKEND := module://matplotlib_inline.backend_inline
NB_ENV := MPLBACKEND=$(NB_MPLBACKEND)

# The kernel make lab registers, and the environment it carries: make test's, so that a chapter
# run by hand in any Jupyter (a server started by hand, VS Code) prints what make test checks.
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

# The notebook check (tests/nbcheck.py): nbval's execution of each chapter in a fresh kernel, with
# its text outputs compared to the committed ones: a decimal number within one unit in its last
# printed digit (a rounding flip on another CPU), everything else exactly (words, integers, layout).
# JOBS workers (pytest-xdist; auto = one per core) run the chapters in parallel, each chapter's
# cells in one worker, in order (--dist loadscope), each kernel with one BLAS thread (above), so
# the numbers are those of a serial run. JOBS=1 runs everything in this process, one at a time.
JOBS     ?= auto
XDIST     = $(if $(filter 1,$(JOBS)),-p no:xdist,-n $(JOBS) --dist loadscope)
NBCHECK   = $(PY) -m pytest -p tests.nbcheck --nbcheck --nbval-current-env \
  --nbval-sanitize-with tests/nbval-sanitize.cfg -p no:cacheprovider
UNIT      = $(PY) -m pytest tests -m "not browser"
TESTS     = $(wildcard tests/test_*.py tests/*_test.py)
BROWSER_TESTS = $(wildcard tests/test_browser_*.py)
NOTEBOOKS = $(sort $(wildcard book/*.ipynb))
BENCHES   = $(sort $(wildcard benchmarks/*.py))

.PHONY: venv test nbcheck test-browser test-portable lab kernel notebook-kernelspec book student notebooks bench clean

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
# its environment) when a chapter is opened. Neither the notebook check (--nbval-current-env) nor
# make notebooks (kernel_name="python3") reads this name. Re-runnable: rewrites only notebooks that differ.
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
	$(UNIT) $(XDIST)
else
	@echo "make test: no tests/test_*.py yet, skipping the pytest step"
endif
ifneq ($(NOTEBOOKS),)
	$(NB_ENV) $(NBCHECK) $(XDIST) book/
else
	@echo "make test: no book/*.ipynb yet, skipping the notebook check"
endif
	$(PY) -m course.selftest -v
	$(MAKE) --no-print-directory test-browser

# One chapter, or several: make nbcheck NB=book/06_experiments.ipynb (NB="book/04_*.ipynb book/05_*.ipynb").
NB ?=
nbcheck: $(STAMP)
	@if [ -z "$(NB)" ]; then echo "make nbcheck: name the chapter, e.g. make nbcheck NB=book/06_experiments.ipynb"; exit 2; fi
	$(NB_ENV) $(NBCHECK) $(if $(word 2,$(wildcard $(NB))),$(XDIST),-p no:xdist) $(NB)

# The browser tests read the built book (_build/html): run make book first (.ci/run does). With
# JOBS workers, the book's and JupyterLab's tests run side by side (each module in one worker, with
# its own browser and server on a free port).
test-browser: $(STAMP) $(LAB_STAMP)
ifneq ($(BROWSER_TESTS),)
	bash tests/ensure_chromium.sh
	$(PY) -m pytest $(BROWSER_TESTS) -m browser $(XDIST)
else
	@echo "make test-browser: no tests/test_browser_*.py yet, skipping"
endif

# The committed outputs and the unit tests must pass on readers' machines, not only on the one that
# wrote them. test-portable runs the unit tests and the notebook check in four configurations:
#   default      the Makefile's environment (one BLAS thread, the CPU's own kernels), as make test;
#   haswell      OpenBLAS's AVX2 kernels and numpy's AVX-512 loops switched off: a typical AVX2 laptop;
#   sandybridge  OpenBLAS's AVX kernels (no AVX2, no FMA) and numpy at its SSE4.2 baseline
#                (no AVX2, FMA or AVX-512 loops): an older x86;
#   threads2     two BLAS threads, as a student's Jupyter gets by default (another summation order).
# Each configuration first prints the BLAS kernel and numpy SIMD loops in effect, and fails if
# OpenBLAS did not take the kernel it was asked for (a forced kernel needs an x86-64 CPU that has
# its instructions). Every configuration runs even when an earlier one fails; the target fails if
# any did. Logs in _build/portable/.
PORTABLE_CONFIGS := default haswell sandybridge threads2
PORTABLE_ENV_default     :=
PORTABLE_ENV_haswell     := OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"
PORTABLE_ENV_sandybridge := OPENBLAS_CORETYPE=SandyBridge NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR"
PORTABLE_ENV_threads2    := OPENBLAS_NUM_THREADS=2

# Prints the BLAS libraries' kernel and threads and numpy's SIMD loops in effect; exits 1 when
# OPENBLAS_CORETYPE is set and a BLAS library reports another kernel.
define PORTABLE_REPORT
import os
from threadpoolctl import threadpool_info
import numpy, scipy.linalg
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
loops = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)] or ["baseline only"]
print("   BLAS:", ", ".join(f"{i['internal_api']} {i.get('architecture')} x{i['num_threads']}" for i in blas),
      "| numpy SIMD:", " ".join(loops))
want = os.environ.get("OPENBLAS_CORETYPE")
if want and any((i.get("architecture") or "").lower() != want.lower() for i in blas):
    raise SystemExit(f"OPENBLAS_CORETYPE={want} was not taken: this CPU lacks its instructions?")
endef
export PORTABLE_REPORT

test-portable: $(STAMP)
	@mkdir -p _build/portable; failed=""; \
	for cfg in $(PORTABLE_CONFIGS); do \
	  case $$cfg in \
	    default) cfg_env='$(PORTABLE_ENV_default)';; \
	    haswell) cfg_env='$(PORTABLE_ENV_haswell)';; \
	    sandybridge) cfg_env='$(PORTABLE_ENV_sandybridge)';; \
	    threads2) cfg_env='$(PORTABLE_ENV_threads2)';; \
	  esac; \
	  echo "== [$$cfg] $$cfg_env"; \
	  if ! eval env $$cfg_env $(PY) -c '"$$PORTABLE_REPORT"'; then failed="$$failed $$cfg"; continue; fi; \
	  for step in unit notebooks; do \
	    log=_build/portable/$$cfg-$$step.log; \
	    if [ $$step = unit ]; then cmd='$(UNIT) $(XDIST) -q'; else cmd='$(NB_ENV) $(NBCHECK) $(XDIST) -q book/'; fi; \
	    if eval env $$cfg_env $$cmd > $$log 2>&1; then :; else failed="$$failed $$cfg/$$step"; fi; \
	    grep -E '^(FAILED|ERROR) ' $$log | sed 's/ - .*//' || true; \
	    echo "   $$step: $$(tail -n 1 $$log)"; \
	  done; \
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
# folder, as under the notebook check and in a reader's Jupyter. It uses nbclient (installed with myst-nb)
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
