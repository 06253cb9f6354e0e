"""The fixture site (tests/scan_site.py) served for the session, and one real scan of it that
the engine's tests share (a scan takes seconds: it runs once, not per test)."""

import os
import shutil

import pytest

from rules.networks import parse_networks, parse_resolver_rules
from scanner.addresses import Resolver
from tests.scan_site import serve

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
RULES = "MAP *.localhost 127.0.0.1"
NETWORKS = "127.0.0.1/32"
PAGE_TIMEOUT = 4  # /slow never loads: the scan must give up on it this fast


def fixture_resolver():
    return Resolver(parse_resolver_rules(RULES), parse_networks(NETWORKS))


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM:
        if CI:
            pytest.fail("Chromium is required under CI=true (apt-get install chromium).")
        pytest.skip("Chromium not installed (apt-get install chromium): scanner tests not run.")
    return CHROMIUM


@pytest.fixture(scope="session")
def fixture_site():
    server, port = serve()
    yield f"http://site.localhost:{port}/"
    server.shutdown()


@pytest.fixture(scope="session")
def observed(chromium, fixture_site):
    from scanner.engine import ScanOptions, scan

    states = []
    result = scan(
        ScanOptions(
            url=fixture_site, max_pages=8, page_timeout=PAGE_TIMEOUT, chromium=chromium, resolver=fixture_resolver()
        ),
        progress=states.append,
    )
    result["progress"] = states
    return result


@pytest.fixture
def scanning_app(app):
    """The suite's app with the scanner's settings for the fixture site."""
    saved = {
        key: app.config[key] for key in ("SCANNER_HOST_RESOLVER_RULES", "SCANNER_ALLOWED_NETWORKS", "SCANNER_CHROMIUM")
    }
    app.config.update(
        SCANNER_HOST_RESOLVER_RULES=parse_resolver_rules(RULES),
        SCANNER_ALLOWED_NETWORKS=parse_networks(NETWORKS),
        SCANNER_CHROMIUM=CHROMIUM or "/usr/bin/chromium",
    )
    yield app
    app.config.update(saved)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
