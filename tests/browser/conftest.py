"""Playwright for Python driving Debian's Chromium against a live server.

Skipped with a reason when Chromium is absent on a developer machine; under
CI=true a missing browser is a failure.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # navigator.webdriver stays false, as for a visitor: vanilla-cookieconsent shows nothing to a
    # browser that says it is automated (hideFromBots), and the tests must see what visitors see.
    "--disable-blink-features=AutomationControlled",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            # Werkzeug's test server leaves a static file unclosed when the browser drops
            # a connection mid-download; that is the harness, not the app.
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if CI:
            pytest.fail("Chromium is required under CI=true (apt-get install chromium).")
        pytest.skip("Chromium not installed (apt-get install chromium): browser tests not run.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    yield page
    context.close()


@pytest.fixture
def artifacts(request, database_url):
    """Where screenshots go: test-artifacts/<backend>/."""
    folder = ARTIFACTS / ("postgresql" if database_url.startswith("postgresql") else "sqlite")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


AXE = Path(__file__).resolve().parent / "npm" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source():
    """axe-core, pinned in tests/browser/npm (installed by .ci/run: npm ci --prefix tests/browser/npm)."""
    if not AXE.exists():
        if CI:
            pytest.fail("axe-core is required under CI=true (npm ci --prefix tests/browser/npm).")
        pytest.skip("axe-core not installed (npm ci --prefix tests/browser/npm): accessibility checks not run.")
    return AXE.read_text(encoding="utf-8")


NPM = Path(__file__).resolve().parent / "npm" / "node_modules"


class OtherSite:
    """A plain site on another origin (its own port), as a site owner's: it serves the pages a
    test gives it (``pages[path] = html``) and the pinned npm packages under /vendor/."""

    def __init__(self):
        self.pages = {}
        self.url = None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/vendor/"):
            file = (NPM / path.removeprefix("/vendor/")).resolve()
            if NPM in file.parents and file.is_file():
                kind = "text/css" if file.suffix == ".css" else "text/javascript"
                start_response("200 OK", [("Content-Type", kind)])
                return [file.read_bytes()]
        elif path in self.pages:
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [self.pages[path].encode("utf-8")]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]


@pytest.fixture
def other_site():
    """A site on another origin that includes what the README's "On your site" snippets say."""
    site = OtherSite()
    server = make_server("127.0.0.1", 0, site, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.url = f"http://127.0.0.1:{server.server_port}"
    yield site
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def npm_packages(axe_source):
    """The pinned npm packages (installed with axe-core by npm ci)."""
    return NPM
