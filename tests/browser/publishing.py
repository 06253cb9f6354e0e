"""The publisher's steps in the browser, for the journeys that change what visitors read."""

import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def log_in(page, email):
    page.goto(page.base_url + "/admin/")
    expect(page).to_have_url(re.compile(r"/account/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def publish_as_publisher(browser, base_url, note="Mise à jour de l’inventaire"):
    """A publisher, in a browser of their own, publishes the draft with a note."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = base_url
    try:
        log_in(page, "publisher@example.com")
        page.goto(base_url + "/admin/publication/")
        page.fill("#note_fr", note)
        page.locator("form.publish-form button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("est publiée")
    finally:
        context.close()
