"""Chapter 4 as a student meets it: ``make lab``'s JupyterLab, in headless Chromium with no network.

The server is started by ``make lab`` itself (only ``LAB_OPTS`` is added: no browser, loopback, a
free port, a token), so the test checks the settings a student gets: the pinned JupyterLab and
jupyterlab-myst of ``requirements-lab.txt``, the server rooted at ``book/``, the kernel ``aelib``
registered with ``make test``'s environment. Jupyter's data, config and runtime folders point to
a temporary folder, so the test neither reads nor writes the user's own Jupyter setup, and
autosave is off there, so the test never writes the chapter (it checks the file is unchanged; the
first checkpoint JupyterLab saves in ``book/.ipynb_checkpoints`` is removed again).

Checked:

* the kernel ``aelib`` is registered where ``ipykernel install --user`` puts it, runs this
  clone's venv and carries make test's environment (one BLAS thread, ``PYTHONHASHSEED=0``, the
  inline plotting backend), also when started from an environment without them;
* every chapter names the kernel ``aelib`` in its metadata, and chapter 4 opens with it;
* every MyST directive of the chapter renders: each ``{prf:...}`` as a theorem box, each
  ``{exercise}`` as an exercise box, each ``{solution}`` as a *folded* dropdown (its text not
  shown until clicked, and it opens on a click); no directive shows as raw text (``:label:``,
  ``:class: dropdown``);
* the page loads nothing from the network and no request fails.

Screenshots: ``_build/screenshots/lab_ch4_theorem.png`` (the top of the chapter, theorem boxes)
and ``lab_ch4_solutions.png`` (the exercises, solutions folded).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from selenium.common.exceptions import TimeoutException

from browser_support import REPO, BrowserLog, chrome, free_port, screenshot, wait_js

pytestmark = pytest.mark.browser

CHAPTER = "04_code_consistency.ipynb"
KERNEL = "aelib"
#: make test's environment, which the kernel must carry (Makefile: KERNEL_ENV).
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
#: Generous: the server, the kernel and the rendering share two busy cores with other work.
STARTUP_TIMEOUT = 240.0
RENDER_TIMEOUT = 180.0


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    data_dir: Path
    log: Path

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _gated_code_cells(nb) -> int:
    inside, count = False, 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            inside = ("{solution-start}" in cell.source) or (inside and "{solution-end}" not in cell.source)
        elif inside:
            count += 1
    return count


def _directive_counts(path: Path) -> dict[str, int]:
    """How many ``{prf:...}``, ``{exercise}``, ``{solution}`` directives and markdown cells the chapter has."""
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    opening = r"^\s*(?:```+|:::+)\{%s\}"
    return {
        "prf": len(re.findall(opening % r"prf:[a-z]+", text, flags=re.M)),
        "exercise": len(re.findall(opening % "exercise", text, flags=re.M)),
        # a gated solution (solution-start ... solution-end, its code executed in the book) renders
        # as one more dropdown, "Start of Solution to ..."; its code cells are folded by metadata
        "solution": len(re.findall(opening % "solution(?:-start)?", text, flags=re.M)),
        "gated_code": _gated_code_cells(nb),
        "markdown": sum(c.cell_type == "markdown" for c in nb.cells),
        "refs": sorted(set(re.findall(r"\{(?:ref|prf:ref|numref)\}`(?:[^`<]*<)?([^`>]+)>?`", text))),
    }


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    home = tmp_path_factory.mktemp("jupyter")
    data_dir, config_dir = home / "data", home / "config"
    settings = config_dir / "lab" / "user-settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    env = {
        **os.environ,
        "JUPYTER_DATA_DIR": str(data_dir),
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    for var in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(var, None)
    port, token = free_port(), secrets.token_hex(16)
    chapter = REPO / "book" / CHAPTER
    before = hashlib.sha256(chapter.read_bytes()).hexdigest()
    # JupyterLab saves a first checkpoint of a notebook it opens; remove it if the test made it.
    checkpoints = REPO / "book" / ".ipynb_checkpoints"
    had_checkpoints = checkpoints.exists()
    log = home / "make_lab.log"
    opts = f"--no-browser --ip=127.0.0.1 --port={port} --port-retries=0 --IdentityProvider.token={token}"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"LAB_OPTS={opts}"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Lab(f"http://127.0.0.1:{port}", token, data_dir, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with {proc.returncode}:\n{_tail(log)}", pytrace=False)
            try:
                server.api("/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {STARTUP_TIMEOUT:.0f} s:\n{_tail(log)}",
                                pytrace=False)
                time.sleep(0.5)
        yield server
    finally:
        try:
            server.api("/api/shutdown", method="POST")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if not had_checkpoints:
            shutil.rmtree(checkpoints, ignore_errors=True)
    assert hashlib.sha256(chapter.read_bytes()).hexdigest() == before, f"the test changed {chapter}"


@pytest.mark.parametrize("path", sorted((REPO / "book").glob("*.ipynb")), ids=lambda p: p.name)
def test_chapter_names_the_aelib_kernel(path: Path) -> None:
    """JupyterLab and VS Code start the kernel a notebook names: every chapter names `aelib`."""
    spec = nbformat.read(path, as_version=4).metadata.get("kernelspec", {})
    assert spec.get("name") == KERNEL, f"{path.name}: kernelspec {spec}; run `make notebook-kernelspec`"


def test_kernel_registered_with_make_test_environment(lab: Lab) -> None:
    specs = lab.api("/api/kernelspecs")["kernelspecs"]
    assert KERNEL in specs, f"kernel {KERNEL!r} not registered; found {sorted(specs)}"
    spec = specs[KERNEL]["spec"]
    assert spec["display_name"] == "Python (aelib)"
    assert spec["env"] == KERNEL_ENV
    assert Path(spec["argv"][0]).resolve() == (REPO / ".venv" / "bin" / "python").resolve()
    # Where `ipykernel install --user` puts it, so any Jupyter or VS Code of this user finds it.
    assert (lab.data_dir / "kernels" / KERNEL / "kernel.json").is_file()


def test_kernel_gets_the_environment_without_make(lab: Lab) -> None:
    """A kernel started from the registered spec by any front end, from an environment without
    make test's variables (a server started by hand), still runs with them."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    bare = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV}
    ksm = KernelSpecManager(kernel_dirs=[str(lab.data_dir / "kernels")], ensure_native_kernel=False)
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=ksm)
    km.start_kernel(env=bare)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        code = "import json, os; print(json.dumps({k: os.environ.get(k) for k in %r}))" % sorted(KERNEL_ENV)
        printed: list[str] = []
        reply = kc.execute_interactive(
            code, timeout=STARTUP_TIMEOUT,
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")),
        )
        assert reply["content"]["status"] == "ok"
        assert json.loads("".join(printed)) == KERNEL_ENV
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_chapter_4_renders_theorems_and_folded_solutions(lab: Lab) -> None:
    expected = _directive_counts(REPO / "book" / CHAPTER)
    assert all(expected.values()), f"chapter 4 should have every kind of directive and a reference: {expected}"

    with chrome(width=1400, height=1000) as driver:
        log = BrowserLog(driver)
        log.reset()
        driver.get(f"{lab.url}/lab/tree/{CHAPTER}?token={lab.token}")
        nb = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
        try:
            wait_js(
                driver,
                f"document.querySelectorAll('{nb} .myst-proof').length >= {expected['prf']}"
                f" && document.querySelectorAll('{nb} details').length >= {expected['solution']}"
                f" && document.querySelectorAll('{nb} aside.myst-exercise[id^=\"ex-\"]').length >= {expected['exercise']}",
                timeout=RENDER_TIMEOUT,
            )
        except TimeoutException:
            shot = screenshot(driver, "lab_ch4_failure")
            seen = driver.execute_script(
                f"return [document.querySelectorAll('{nb} .myst-proof').length,"
                f" document.querySelectorAll('{nb} details').length]"
            )
            pytest.fail(
                f"after {RENDER_TIMEOUT:.0f} s JupyterLab shows {seen[0]} theorem boxes and {seen[1]} "
                f"solution dropdowns in {CHAPTER}, expected {expected['prf']} and "
                f"{expected['solution']}: is jupyterlab-myst installed and enabled "
                f"(`.venv/bin/jupyter labextension list`)? Screenshot: {shot}",
                pytrace=False,
            )
        found = driver.execute_script(
            f"""const nb = document.querySelector('{nb}');
            const details = [...nb.querySelectorAll('details')];
            return {{
              proofs: nb.querySelectorAll('.myst-proof').length,
              proof_titles: [...nb.querySelectorAll('.myst-proof-title')].map(e => e.textContent),
              // a gated solution renders as one more (unlabelled) exercise-styled aside: count labelled ones
              exercises: nb.querySelectorAll('aside.myst-exercise[id^="ex-"]').length,
              solutions: details.length,
              solution_titles: details.map(d => d.querySelector('summary').textContent),
              open: details.filter(d => d.open).length,
              shown: details.filter(d => [...d.children].some(
                  c => c.tagName !== 'SUMMARY' && c.checkVisibility())).length,
              links: [...nb.querySelectorAll('.jp-MarkdownCell .myst a[href^="#"]')].map(
                  a => a.getAttribute('href').slice(1)),
              folded_inputs: nb.querySelectorAll('.jp-CodeCell .jp-InputPlaceholder').length,
              folded_outputs: nb.querySelectorAll('.jp-CodeCell .jp-OutputPlaceholder').length,
              rendered: nb.querySelectorAll('.jp-MarkdownCell .myst').length,
              cells: nb.querySelectorAll('.jp-MarkdownCell').length,
              text: [...nb.querySelectorAll('.jp-MarkdownCell .myst')].map(e => e.textContent).join('\\n'),
            }};"""
        )
        assert found["proofs"] == expected["prf"], found["proof_titles"]
        assert any(t.startswith("Theorem") and "Code consistency" in t for t in found["proof_titles"])
        assert found["exercises"] == expected["exercise"]
        assert found["solutions"] == expected["solution"]
        assert all(t.startswith(("Solution to", "Start of Solution to")) for t in found["solution_titles"]), \
            found["solution_titles"]
        # the code of a gated solution is folded too: input and output collapsed to placeholders
        assert found["folded_inputs"] >= expected["gated_code"], found["folded_inputs"]
        assert found["folded_outputs"] >= expected["gated_code"], found["folded_outputs"]
        assert found["open"] == 0 and found["shown"] == 0, "a solution is not folded"
        # Every markdown cell is rendered by MyST (not shown as source); none shows raw directives.
        assert found["rendered"] == found["cells"] == expected["markdown"], found
        # Cross-references resolve within the notebook (jupyterlab-myst logs a transient
        # "Cross reference target was not found" to the console while it renders the cells one by
        # one; the finished page has the link, which is what is checked).
        unresolved = [label for label in expected["refs"] if label not in found["links"]]
        assert not unresolved, f"cross-references without a link: {unresolved}"
        for raw in (":label:", ":class: dropdown", "```{", "{prf:theorem}", "{solution}"):
            assert raw not in found["text"], f"raw MyST {raw!r} shown in the notebook"

        # make lab's settings overrides: JupyterLab does not ask to fetch news from the internet.
        assert "Jupyter news" not in driver.execute_script("return document.body.innerText")

        # The chapter runs in the kernel `aelib`.
        toolbar = wait_js(
            driver,
            "(document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
            ".jp-KernelName') || {}).innerText",
            timeout=RENDER_TIMEOUT,
        )
        assert toolbar.strip() == "Python (aelib)"
        sessions = [s for s in lab.api("/api/sessions") if s["path"].endswith(CHAPTER)]
        assert [s["kernel"]["name"] for s in sessions] == [KERNEL]

        driver.execute_script(f"document.querySelector('{nb} .myst-proof').scrollIntoView()")
        time.sleep(1)  # let the windowed notebook settle before the picture (no assertion on time)
        screenshot(driver, "lab_ch4_theorem")
        driver.execute_script(f"document.querySelector('{nb} aside.myst-exercise').scrollIntoView()")
        time.sleep(1)
        driver.execute_script(f"document.querySelector('{nb} aside.myst-exercise').scrollIntoView()")
        time.sleep(1)
        screenshot(driver, "lab_ch4_solutions")

        # A folded solution opens on a click, and then its text is shown.
        driver.execute_script(f"document.querySelector('{nb} details summary').click()")
        assert wait_js(
            driver,
            f"[...document.querySelector('{nb} details').children].some("
            "c => c.tagName !== 'SUMMARY' && c.checkVisibility())",
            timeout=30,
        )

        log.collect()
        assert not log.external_requests, log.external_requests
        # JupyterLab itself cancels a pending save of its workspace or settings when a newer one
        # starts (net::ERR_ABORTED); that is not a request that failed. Anything else is.
        failed = [r for r in log.failed_requests if not r.endswith("net::ERR_ABORTED")]
        assert not failed, "\n".join(failed)
