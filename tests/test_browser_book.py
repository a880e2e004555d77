"""The built book as its readers meet it: every page in headless Chromium with no network.

The pages are served from ``_build/html`` by a loopback HTTP server on a free port (as a course
server would serve them), and the browser cannot reach anything else: host names do not resolve
and other connections go to a dead proxy (:func:`browser_support.chrome`). For every page:

* no request leaves the loopback, no request fails, the console shows no error;
* every formula is typeset: each ``span.math`` / ``div.math`` holds a MathJax ``mjx-container``,
  none holds raw ``\\(`` / ``\\[`` text, and MathJax reports no TeX error (``mjx-merror``);
  every chapter has formulas;
* no widget placeholder (an ipywidgets view with no manager is a blank box);
* no cross-reference is a bare kind word ("Theorem ") and no MyST role shows as raw text
  ("{cite}`...`"), no HTML id is used twice, and exercises and figures are numbered within their chapter
  (4.1, 4.2, ...).

A solution dropdown is checked to open on click, and screenshots for review go to
``_build/screenshots/``: chapter 5 offline, a solution folded and opened, a figure at phone
width. A summary (formulas per page, requests) is written to ``_build/browser_book.json``.

The test reads the book built by ``make book``; it does not build it (``make test`` runs after
``make book`` in CI).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from browser_support import REPO, BrowserLog, chrome, screenshot, serve_directory, wait_js

pytestmark = pytest.mark.browser

HTML = REPO / "_build" / "html"
SKIP_DIRS = {"_static", "_sources", "_images"}


def _built_pages() -> list[str]:
    if not (HTML / "index.html").is_file():
        return []
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not SKIP_DIRS & set(p.relative_to(HTML).parts)
    )


PAGES = _built_pages()
CHAPTERS = sorted(f"book/{p.stem}.html" for p in (REPO / "book").glob("[0-9][0-9]_*.ipynb"))
BARE_REF = re.compile(r"^(Theorem|Lemma|Definition|Remark|Algorithm|Observation|Proof|Exercise)\s*$")
SUMMARY: dict[str, dict] = {}


@pytest.fixture(scope="module")
def base_url():
    if not PAGES:
        pytest.fail(f"no built book at {HTML / 'index.html'}: run `make book` first", pytrace=False)
    with serve_directory(HTML) as url:
        yield url


@pytest.fixture(scope="module")
def driver(base_url):
    with chrome(width=1280, height=900, block_network=True) as d:
        yield d


@pytest.fixture(scope="module", autouse=True)
def _write_summary():
    yield
    if SUMMARY:
        (REPO / "_build" / "browser_book.json").write_text(json.dumps(SUMMARY, indent=1, sort_keys=True))


def _settle(driver) -> str:
    """Wait until the page, MathJax (if the page has math) and its fonts are done.

    Returns "" or what did not finish (checked by the caller after the network log, so that
    a MathJax that never loaded is reported with the request that failed).
    """
    from selenium.common.exceptions import TimeoutException

    wait_js(driver, "document.readyState === 'complete'")
    if driver.execute_script("return document.querySelector('span.math, div.math') !== null"):
        try:
            wait_js(driver, "window.MathJax && MathJax.startup && MathJax.startup.promise && true")
        except TimeoutException:
            return "MathJax did not start"
        driver.execute_async_script("const done = arguments[arguments.length - 1]; MathJax.startup.promise.then(() => done(1));")
    driver.execute_async_script("const done = arguments[arguments.length - 1]; document.fonts.ready.then(() => done(1));")
    return ""


def _open(driver, base_url: str, page: str) -> tuple[BrowserLog, str]:
    log = BrowserLog(driver)
    log.reset()
    driver.get(f"{base_url}/{page}")
    if page == "index.html":  # a redirect to the introduction
        wait_js(driver, "location.pathname.endsWith('/book/intro.html')")
    unfinished = _settle(driver)
    return log.collect(), unfinished


MATH_STATE = """
const math = [...document.querySelectorAll('span.math, div.math')];
return {
  math: math.length,
  typeset: math.filter(m => m.querySelector('mjx-container')).length,
  containers: document.querySelectorAll('mjx-container').length,
  raw: math.filter(m => !m.querySelector('mjx-container') || /\\\\[\\(\\[]/.test(
        [...m.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(''))).length,
  // TeX errors, and undefined macros (which MathJax's noundefined extension shows in red)
  errors: document.querySelectorAll('mjx-merror, mjx-assistive-mml mtext[mathcolor="red"]').length,
};
"""

PAGE_STATE = """
const ids = {};
for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
return {
  duplicate_ids: Object.keys(ids).filter(k => ids[k] > 1),
  refs: [...document.querySelectorAll('article a.reference.internal')].map(a => a.textContent),
  widgets: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets').length,
  exercises: [...document.querySelectorAll('div.exercise p.admonition-title > span.caption-number')].map(s => s.textContent.trim()),
  figures: [...document.querySelectorAll('figure figcaption span.caption-number')].map(s => s.textContent.trim()),
  raw_roles: (document.body.innerText.match(/\\{(cite|cite:p|cite:t|ref|numref|prf:ref|eq|doc)\\}`[^`]*`/g) || []),
};
"""


@pytest.mark.parametrize("page", PAGES or ["<no built book>"])
def test_page_offline(driver, base_url, page):
    log, unfinished = _open(driver, base_url, page)
    math = driver.execute_script(MATH_STATE)
    state = driver.execute_script(PAGE_STATE)
    SUMMARY[page] = {**math, "requests": len(log.requests), "external_requests": len(log.external_requests)}

    assert log.external_requests == [], "requests that would leave the machine"
    assert log.failed_requests == [], "failed requests"
    assert log.console_errors == [], "console errors"
    assert not unfinished, unfinished
    assert math["typeset"] == math["math"] and math["raw"] == 0, f"formulas not typeset: {math}"
    assert math["containers"] >= math["math"], math
    assert math["errors"] == 0, f"TeX errors shown by MathJax: {math}"
    if page in CHAPTERS:
        assert math["math"] > 0, "a chapter without typeset formulas"
    assert state["widgets"] == 0, "widget placeholder (shows as a blank box without a widget manager)"
    assert state["duplicate_ids"] == [], "ids used more than once"
    assert [r for r in state["refs"] if BARE_REF.match(r)] == [], "blank cross-references"
    assert state["raw_roles"] == [], "MyST roles shown as raw text"
    chapter = re.match(r"book/(\d+)_", page)
    if chapter and state["exercises"]:
        n = int(chapter.group(1))
        assert state["exercises"] == [f"Exercise {n}.{i}" for i in range(1, len(state["exercises"]) + 1)]
    if chapter and state["figures"]:
        n = int(chapter.group(1))
        assert state["figures"] == [f"Fig. {n}.{i}" for i in range(1, len(state["figures"]) + 1)]


def test_every_chapter_is_built():
    missing = [c for c in CHAPTERS if c not in PAGES]
    assert CHAPTERS and not missing, f"chapters missing from {HTML} (run `make book`): {missing}"


class _ExternalAssets(HTMLParser):
    """src/href of scripts, styles, images, fonts, media and frames that point off the machine."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        url = None
        if tag in {"script", "img", "iframe", "audio", "video", "source", "embed", "input"}:
            url = a.get("src")
        elif tag == "link" and a.get("rel") not in {"canonical"}:
            url = a.get("href")
        elif tag == "object":
            url = a.get("data")
        if url and re.match(r"^(https?:)?//", url.strip()):
            self.external.append(f"<{tag}> {url}")


def test_no_external_assets_in_built_html():
    if not PAGES:
        pytest.fail(f"no built book at {HTML}: run `make book` first", pytrace=False)
    found = {}
    for page in PAGES:
        parser = _ExternalAssets()
        parser.feed((HTML / page).read_text(encoding="utf-8"))
        if parser.external:
            found[page] = parser.external
    assert found == {}


_API_XREF = re.compile(r'(<a class="reference[^>]*>)?<code class="xref py py-\w+[^"]*"><span class="pre">([^<]*)</span>')


def test_api_names_link_to_their_definition():
    """Every public aelib name a docstring refers to (``aelib.train``, or bare in its module) is a link."""
    api = HTML / "book" / "api.html"
    if not api.is_file():
        pytest.fail(f"no built API page at {api}: run `make book` first", pytrace=False)
    xrefs = [(bool(link), text.rstrip("()")) for link, text in _API_XREF.findall(api.read_text(encoding="utf-8"))]
    import aelib

    public = [text for _, text in xrefs if text.removeprefix("aelib.").split(".")[0] in aelib.__all__]
    unlinked = sorted({text for linked, text in xrefs if not linked and text in public})
    assert len(public) > 300 and unlinked == [], unlinked


def test_chapter_5_offline_screenshot(driver, base_url):
    assert _open(driver, base_url, "book/05_descent.html")[1] == ""
    driver.execute_script("document.getElementById('thm-descent').scrollIntoView({block: 'start'});")
    assert driver.execute_script("return document.getElementById('thm-descent').querySelectorAll('mjx-container').length") > 0
    screenshot(driver, "book_ch05_offline")


def test_solution_dropdown_toggles(driver, base_url):
    from selenium.webdriver.common.by import By

    assert _open(driver, base_url, "book/05_descent.html")[1] == ""
    solution = driver.find_element(By.CSS_SELECTOR, "div.solution.dropdown")
    body = solution.find_element(By.CSS_SELECTOR, "section")
    button = solution.find_element(By.CSS_SELECTOR, "button.toggle-button")
    exercise = driver.execute_script(
        "const s = arguments[0]; let e = s.previousElementSibling;"
        "while (e && !e.classList.contains('exercise')) e = e.previousElementSibling; return e || s;",
        solution,
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", exercise)
    assert "toggle-hidden" in solution.get_attribute("class") and not body.is_displayed(), "solution not folded"
    assert button.get_attribute("aria-expanded") == "false"
    screenshot(driver, "book_solution_folded")
    button.click()
    from selenium.webdriver.support.ui import WebDriverWait

    # The theme fades the body in (0.3 s transition): wait for it, at most 10 s.
    WebDriverWait(driver, 10, poll_frequency=0.1).until(
        lambda d: "toggle-hidden" not in solution.get_attribute("class") and body.is_displayed(),
        message="solution did not open",
    )
    assert button.get_attribute("aria-expanded") == "true", "solution did not open"
    assert body.find_elements(By.CSS_SELECTOR, "mjx-container"), "opened solution shows no typeset math"
    screenshot(driver, "book_solution_opened")


def test_figure_at_phone_width(base_url):
    from selenium.webdriver.common.by import By

    with chrome(width=390, height=844, block_network=True) as phone:
        assert _open(phone, base_url, "book/06_experiments.html")[1] == ""
        figure = phone.find_elements(By.CSS_SELECTOR, "article .cell_output img")[0]
        phone.execute_script("arguments[0].scrollIntoView({block: 'center'});", figure)
        box = phone.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right, window.innerWidth, arguments[0].complete && arguments[0].naturalWidth];",
            figure,
        )
        assert box[2] == 390, f"page not laid out at phone width: {box}"
        assert box[3], "figure did not load"
        assert box[0] >= 0 and box[1] <= box[2], f"figure wider than the phone's screen: {box}"
        screenshot(phone, "book_figure_phone")


def test_api_contents_column_not_cut(driver, base_url):
    """The API page's contents column: no entry runs past the column or the window."""
    assert _open(driver, base_url, "book/api.html")[1] == ""
    cut = []
    for target in ["aelib.models.NonnegativeSparseCoding.sample_codes", "aelib.models.uniform_support_probabilities"]:
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView();", target)
        wait_js(driver, "document.querySelector('#pst-page-toc-nav li.active') !== null")
        cut += driver.execute_script(
            """const side = document.querySelector('.bd-sidebar-secondary').getBoundingClientRect();
            const right = Math.min(side.right, window.innerWidth);
            return [...document.querySelectorAll('#pst-page-toc-nav a')]
              .filter(a => { const r = a.getBoundingClientRect(); return r.width > 0 && r.right > right + 0.5; })
              .map(a => a.textContent.trim());"""
        )
    assert cut == [], "contents entries cut off"
