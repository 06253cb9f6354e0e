"""The Compliance page and a publication blocked by a compliance error, then allowed, in
Chromium: a provider outside the EEA without a safeguard; the Compliance page
and the Publication page say what is wrong and where to fix it; the publisher cannot publish;
the editor states the safeguard; the publisher publishes. Read in French, then in English."""

import re

from playwright.sync_api import expect

from models import Provider, db
from tests.browser.publishing import log_in
from tests.helpers import fresh, make_cookie


def test_a_transfer_without_safeguard_blocks_publishing_until_it_is_stated(browser, page, artifacts):
    # A third party's cookie, shown on the policy, from a provider established in the US.
    provider = Provider(
        name="Tracker Inc", country="US", role="controller", privacy_policy_url="https://tracker.example/privacy"
    )
    db.session.add(provider)
    db.session.commit()
    make_cookie(name="trk", domain="tracker.example", party="third", provider=provider)
    fresh()
    log_in(page, "editor@example.com")
    page.goto(page.base_url + "/admin/compliance/")
    finding = page.locator(".compliance-findings li[data-rule='transfer-safeguard']")
    expect(finding).to_contain_text("Tracker Inc")
    expect(page.locator(".compliance-totals")).to_contain_text("1 erreur")
    page.screenshot(path=str(artifacts / "compliance-fr.png"), full_page=True)

    # The publisher sees the error and cannot publish.
    publisher = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    pub = publisher.new_page()
    pub.base_url = page.base_url
    log_in(pub, "publisher@example.com")
    pub.goto(page.base_url + "/admin/publication/")
    expect(pub.locator(".checks")).to_contain_text("outside the European Economic Area")
    pub.fill("#note_fr", "Nouveau prestataire")
    pub.click(".publish-form button[type=submit]")
    expect(pub.locator("body")).to_contain_text("Nothing was published")
    pub.goto(page.base_url + "/admin/compliance/")
    expect(pub.locator(".compliance-totals")).to_contain_text("1 error")

    # The editor follows the link to the record and states the safeguard.
    finding.locator("a", has_text="Corriger").click()
    expect(page).to_have_url(re.compile(r"/admin/provider/edit/"))
    expect(page.locator(".record-findings")).to_contain_text("Espace économique européen")
    page.locator("select#transfer_safeguard").select_option(
        label="Cadre de protection des données UE–États-Unis (Data Privacy Framework)", force=True
    )
    page.click("input[type=submit][value='Enregistrer']")
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(page.base_url + "/admin/compliance/")
    expect(page.locator(".compliance-totals")).to_contain_text("0 erreur")

    pub.goto(page.base_url + "/admin/publication/")
    pub.fill("#note_fr", "Nouveau prestataire")
    pub.click(".publish-form button[type=submit]")
    expect(pub.locator(".alert-success")).to_contain_text("Version 2")
    publisher.close()
