"""Sphinx extension: the built book loads nothing from the network.

* **MathJax from the project's own files.** MathJax 3.2.2, fonts included, comes from the
  pinned PyPI package ``django-static-mathjax`` (a repackaging of MathJax's ``es5`` build:
  combined components, TeX extensions, the CommonHTML woff fonts, menu and accessibility
  modules). Its ``es5`` folder is copied to ``_build/html/_static/mathjax/`` and
  ``mathjax_path`` (in ``_config.yml``) names a file inside that copy. The build fails if
  ``mathjax_path`` is a URL or does not name a file of the copy.
* **No Thebe.** Jupyter Book always loads ``sphinx_thebe``, which puts an inline script
  declaring ``const THEBE_JS_URL = "https://unpkg.com/..."`` on every page, twice (a
  JavaScript SyntaxError), plus a Binder configuration. The book has no launch buttons, so
  this extension disconnects sphinx_thebe's page hooks and drops its stylesheet.

The ipywidgets manager (require.js and the widget embedder from CDNs) is switched off in
``_config.yml`` (``nb_ipywidgets_js: {}``); widget cells are tagged ``remove-output`` in the
chapters, next to the static figure that shows the same thing.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

#: Where the copy of MathJax goes, under the HTML output's _static folder.
MATHJAX_DIR = "mathjax"


def _mathjax_source() -> Path:
    source = Path(str(importlib.resources.files("mathjax"))) / "static" / "mathjax" / "es5"
    if not (source / "output" / "chtml" / "fonts" / "woff-v2").is_dir():
        raise ExtensionError(f"offline_assets: no MathJax es5 build with its fonts in {source}")
    return source


def _check_mathjax_path(app: Sphinx, config) -> None:
    path = config.mathjax_path
    if "://" in path or path.startswith("//"):
        raise ExtensionError(f"offline_assets: mathjax_path must be local, got {path!r}")
    if not path.startswith(MATHJAX_DIR + "/"):
        raise ExtensionError(f"offline_assets: mathjax_path must lie in {MATHJAX_DIR}/, got {path!r}")
    if not (_mathjax_source() / path[len(MATHJAX_DIR) + 1 :]).is_file():
        raise ExtensionError(f"offline_assets: mathjax_path {path!r} is not a file of the MathJax copy")


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        copy_asset(str(_mathjax_source()), str(Path(app.outdir) / "_static" / MATHJAX_DIR))


def _drop_thebe(app: Sphinx) -> None:
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "") == "sphinx_thebe":
                app.disconnect(listener.id)
    app.registry.css_files = [(name, attrs) for name, attrs in app.registry.css_files if name != "sphinx-thebe.css"]


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.mathjax")
    app.setup_extension("sphinx_thebe")
    app.connect("config-inited", _check_mathjax_path)
    app.connect("build-finished", _copy_mathjax)
    _drop_thebe(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
