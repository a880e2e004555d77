"""Shared helpers for the browser tests (headless Debian Chromium driven by Selenium).

Nothing here downloads anything: the browser and its driver are Debian's ``/usr/bin/chromium``
and ``/usr/bin/chromedriver``, given to Selenium explicitly, so Selenium Manager is never asked
to fetch a driver or a browser. ``tests/ensure_chromium.sh`` (run by ``make test-browser``)
installs both with apt-get when they are missing.

Browser test modules are named ``tests/test_browser_*.py`` and marked ``pytestmark =
pytest.mark.browser``: ``make test``'s unit step runs ``-m "not browser"``, and ``make
test-browser`` (the last step of ``make test``) runs ``-m browser`` after ensure_chromium.sh.

Policy: a browser test never skips silently. If Chromium or its driver is missing, the test
*fails* and says how to install them (:func:`require_chromium`).

Typical use::

    from browser_support import BrowserLog, chrome, screenshot, serve_directory

    with serve_directory("_build/html") as base, chrome(block_network=True) as driver:
        log = BrowserLog(driver)
        driver.get(base + "/index.html")
        log.collect()
        assert not log.console_errors and not log.failed_requests and not log.external_requests
        screenshot(driver, "index")

Screenshots go to ``_build/screenshots/`` (:data:`SCREENSHOT_DIR`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import socket
import tempfile
import threading
from base64 import b64decode
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REPO = Path(__file__).resolve().parent.parent
SCREENSHOT_DIR = REPO / "_build" / "screenshots"

#: Headless Chromium's narrowest window; narrower viewports are emulated.
HEADLESS_MIN_WIDTH = 500
#: Hosts a page may talk to: the test's own loopback servers.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
#: URL schemes that never touch the network.
LOCAL_SCHEMES = frozenset({"data", "blob", "file", "about", "chrome", "devtools", "chrome-extension"})


def require_chromium() -> None:
    """Fail the calling test loudly (never skip) when Chromium or chromedriver is missing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(
            f"browser test needs {', '.join(missing)}, which is missing: run "
            "`make test-browser` (it runs tests/ensure_chromium.sh, which installs Debian's "
            "chromium and chromium-driver with apt-get) or `bash tests/ensure_chromium.sh`",
            pytrace=False,
        )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve_directory(directory: str | os.PathLike[str]) -> Iterator[str]:
    """Serve ``directory`` over HTTP on a free loopback port; yield its base URL (no slash).

    The server runs in a daemon thread and is shut down when the block ends.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"directory: expected an existing folder, got {directory}")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def chrome(
    *, width: int = 1280, height: int = 900, block_network: bool = True, extra_args: tuple[str, ...] = ()
) -> Iterator[object]:
    """A headless Debian Chromium driven by Debian's chromedriver, with a fresh profile.

    Parameters
    ----------
    width, height
        Window size in CSS pixels (390 x 844 is a phone). Headless Chromium does not make a
        window narrower than 500 px, so a narrower size is emulated (:func:`set_viewport`,
        as a touch phone).
    block_network
        If true, every host name except the loopback resolves to "not found" and every
        non-loopback connection goes to a dead proxy, so a page that needs the network fails
        the way it would on a machine without one (and the failure is logged).
    extra_args
        More Chromium command-line switches.

    Console messages and network events are recorded; read them with :class:`BrowserLog`.
    """
    require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="aelib-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--metrics-recording-only",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        *extra_args,
    ):
        options.add_argument(arg)
    if block_network:
        options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost")
        # Catches IP-literal URLs too, which the resolver rules cannot: loopback bypasses it.
        options.add_argument("--proxy-server=http://127.0.0.1:9")
        options.add_argument("--proxy-bypass-list=127.0.0.1;localhost;[::1]")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.execute_cdp_cmd("Network.enable", {})
        if width < HEADLESS_MIN_WIDTH:
            set_viewport(driver, width, height, mobile=True)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_viewport(driver: object, width: int, height: int, *, mobile: bool = False) -> None:
    """Emulate a screen of ``width`` x ``height`` CSS pixels (device pixel ratio 1).

    With ``mobile``, a page's ``<meta name="viewport">`` is honoured as on a phone (a page
    without one is laid out 980 px wide and shrunk, as phones do).
    """
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def is_external(url: str) -> bool:
    """True if loading ``url`` would leave the machine (anything but loopback and local schemes)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES or not parts.scheme:
        return False
    return (parts.hostname or "") not in LOOPBACK_HOSTS


@dataclass
class BrowserLog:
    """Console errors and network requests seen by ``driver`` since the last :meth:`collect`.

    Selenium hands each log entry out once, so call :meth:`reset` (or :meth:`collect`) before
    loading the page under test, then :meth:`collect` after it has settled.
    """

    driver: object
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.driver.get_log("browser")
        self.driver.get_log("performance")
        self.console_errors, self.requests, self.failed_requests = [], [], []

    def collect(self) -> BrowserLog:
        self.console_errors += [
            e["message"] for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"
        ]
        urls: dict[str, str] = {}
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            method, params = msg.get("method"), msg.get("params", {})
            if method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                urls[params["requestId"]] = url
                self.requests.append(url)
            elif method == "Network.loadingFailed":
                url = urls.get(params["requestId"], params["requestId"])
                self.failed_requests.append(f"{url}: {params.get('errorText', '?')}")
            elif method == "Network.responseReceived":
                status = params["response"].get("status", 0)
                if status >= 400:
                    self.failed_requests.append(f"{params['response']['url']}: HTTP {status}")
        return self

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if is_external(u)]


def wait_js(driver: object, condition: str, *, timeout: float = 30.0) -> object:
    """Wait until the JavaScript expression ``condition`` is truthy in the page; return its value.

    Raises selenium's ``TimeoutException`` after ``timeout`` seconds.
    """
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(f"return ({condition});")
    )


def screenshot(driver: object, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG of the window (or of the whole page) as ``_build/screenshots/<name>.png``."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    if full_page:
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
        path.write_bytes(b64decode(shot["data"]))
    else:
        driver.save_screenshot(str(path))
    return path
