"""The Scans page from start to result in Chromium, as an editor would use it: start a scan
of the fixture site (tests/scan_site.py), watch its progress, read the consent violation and
the undeclared cookies with their suggestions, add two of them to the draft, find them in the
inventory; the result read in English too."""

import re

import pytest
from playwright.sync_api import expect

from models import Cookie
from rules.networks import parse_networks, parse_resolver_rules
from scanner import jobs
from tests.browser.conftest import CHROMIUM
from tests.browser.publishing import log_in
from tests.helpers import fresh
from tests.scan_site import serve


@pytest.fixture
def scanning(app):
    server, port = serve()
    saved = {
        k: app.config[k]
        for k in ("SCANNER_HOST_RESOLVER_RULES", "SCANNER_ALLOWED_NETWORKS", "SCANNER_CHROMIUM", "SCAN_WORKER")
    }
    app.config.update(
        SCANNER_HOST_RESOLVER_RULES=parse_resolver_rules("MAP *.localhost 127.0.0.1"),
        SCANNER_ALLOWED_NETWORKS=parse_networks("127.0.0.1/32"),
        SCANNER_CHROMIUM=CHROMIUM,
        SCAN_WORKER="thread",  # the embedded default: the page starts the worker
    )
    yield f"http://site.localhost:{port}/"
    jobs.stop_thread_worker(app)
    app.config.update(saved)
    server.shutdown()


def test_an_editor_scans_the_site_and_adds_what_it_found_to_the_draft(page, browser, scanning, artifacts):
    log_in(page, "editor@example.com")
    page.goto(page.base_url + "/admin/scans/")
    page.fill("#url", scanning)
    page.fill("#max_pages", "6")
    page.click(".scan-form button[type=submit]")
    # The progress, while it runs; the page refreshes itself until the scan is done.
    page.wait_for_selector(".scan-progress")
    assert "Cette page se met à jour toute seule" in page.inner_text(".scan-progress")
    expect(page.locator(".scan-status")).to_have_text("Terminé", timeout=120000)
    page.screenshot(path=str(artifacts / "scan-result-fr.png"), full_page=True)
    violations = page.inner_text("#violations")
    assert "_gcl_au" in violations and "Google" in violations
    assert page.locator(".scan-violation").count() == 1
    undeclared = page.inner_text("#undeclared")
    assert "_pk_id.1" in undeclared and "Piwik" in undeclared and "À classer" in undeclared
    # Two of them to the draft, hidden until reviewed.
    page.check("input[value='http_cookie|_gcl_au|site.localhost']")
    page.check("input[value='http_cookie|ui_lang|site.localhost']")
    page.select_option("#category", "preferences")
    page.click("text=Prévisualiser les ajouts")
    assert "_gcl_au" in page.inner_text(".scan-add-changes") and "ui_lang" in page.inner_text(".scan-add-changes")
    page.click(".scan-add-confirm button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/cookie/"))
    assert "2 éléments ajoutés au brouillon" in page.inner_text("body")
    session = fresh()
    added = {c.name: c for c in session.query(Cookie).filter(Cookie.name.in_(["_gcl_au", "ui_lang"]))}
    assert added["_gcl_au"].category.key == "marketing" and added["ui_lang"].category.key == "preferences"
    assert not added["_gcl_au"].shown_on_policy
    page.fill("input[name=search]", "ui_lang")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("table.model-list")).to_contain_text("ui_lang")

    # The same result, read by an English-speaking editor on a phone.
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    english = phone.new_page()
    english.base_url = page.base_url
    log_in(english, "viewer@example.com")
    english.goto(page.base_url + "/admin/scans/")
    english.click(".scan-history a")
    assert "Consent violations" in english.inner_text("#violations")
    assert "Start the scan" not in english.inner_text("body")  # viewers read, never start
    english.screenshot(path=str(artifacts / "scan-result-en-phone.png"), full_page=True)
    phone.close()
