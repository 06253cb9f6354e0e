"""A legal editor logs in, adds a provider, a purpose and a cookie in French and
English, edits a purpose, and sees the policy change in both languages."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import publishing
from tests.browser.publishing import publish_as_publisher


def log_in(page, email="editor@example.com"):
    publishing.log_in(page, email)


def choose(page, field, label):
    """Pick an option of a (select2-enhanced) select by its visible label."""
    page.locator(f"select#{field}").select_option(label=label, force=True)


def test_editor_adds_a_cookie_and_sees_it_on_both_policies_once_published(browser, page, artifacts):
    log_in(page)
    expect(page.locator("body")).to_contain_text("Inventaire des cookies")

    # A provider.
    page.goto(page.base_url + "/admin/provider/new/")
    page.fill("#name", "Matomo")
    page.fill("#website", "https://matomo.org")
    page.fill("#privacy_policy_url", "https://matomo.org/privacy-policy/")
    choose(page, "country", "Nouvelle-Zélande")
    # Outside the EEA: the transfer's safeguard (New Zealand has an adequacy decision).
    choose(page, "transfer_safeguard", "Décision d’adéquation de la Commission européenne")
    page.click("input[type=submit][value='Enregistrer']")
    expect(page.locator(".alert-success")).to_be_visible()

    # A purpose, French and English.
    page.goto(page.base_url + "/admin/purpose/new/")
    page.fill("#description_fr", "Mesurer l'audience du site")
    page.fill("#description_en", "Measure the site's audience")
    page.click("input[type=submit][value='Enregistrer']")
    expect(page.locator(".alert-success")).to_be_visible()

    # The cookie.
    page.goto(page.base_url + "/admin/cookie/new/")
    page.fill("#name", "_pk_id")
    page.check("#is_pattern")
    page.fill("#domain", ".example.org")
    choose(page, "provider", "Matomo")
    choose(page, "category", "Cookies statistiques")
    page.locator("select#purposes").select_option(label="Mesurer l'audience du site", force=True)
    page.fill("#service_fr", "Mesure d'audience (tout le site)")
    page.fill("#service_en", "Audience measurement (whole site)")
    choose(page, "lifetime_unit", "Mois")
    page.fill("#lifetime_amount", "13")
    page.click("input[type=submit][value='Enregistrer']")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("table.model-list")).to_contain_text("_pk_id*")
    page.screenshot(path=str(artifacts / "admin-cookie-list.png"), full_page=True)
    page.goto(page.base_url + "/fr/cookies")
    expect(page.locator("#category-statistics")).not_to_contain_text("_pk_id*")  # not published yet
    publish_as_publisher(browser, page.base_url, "Mesure d’audience Matomo ajoutée")

    # French policy: in the statistics section, with the provider linked to its privacy policy.
    page.goto(page.base_url + "/fr/cookies")
    section = page.locator("#category-statistics")
    expect(section).to_contain_text("_pk_id*")
    expect(section).to_contain_text("Mesure d’audience (tout le site)")
    expect(section).to_contain_text("Mesurer l’audience du site")
    expect(section).to_contain_text("13 mois")
    expect(section.get_by_role("link", name="Matomo")).to_have_attribute("href", "https://matomo.org/privacy-policy/")
    expect(page.locator("#providers")).to_contain_text("Nouvelle-Zélande")
    page.screenshot(path=str(artifacts / "charte-fr.png"), full_page=True)

    # Switch language from the page itself.
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/cookies$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    section = page.locator("#category-statistics")
    expect(section).to_contain_text("Audience measurement (whole site)")
    expect(section).to_contain_text("Measure the site's audience")
    expect(section).to_contain_text("13 months")
    expect(page.locator("#providers")).to_contain_text("New Zealand")
    page.screenshot(path=str(artifacts / "charte-en.png"), full_page=True)


def test_editor_edits_a_purpose_and_both_policies_follow_once_published(browser, page, artifacts):
    log_in(page)
    page.goto(page.base_url + "/admin/purpose/?search=langue")
    page.locator("table.model-list a[href*='/admin/purpose/edit/']").first.click()
    page.fill("#description_fr", "Retenir la langue choisie par le visiteur")
    page.fill("#description_en", "Remember the language the visitor chose")
    page.click("input[type=submit][value='Enregistrer']")
    expect(page.locator(".alert-success")).to_be_visible()
    publish_as_publisher(browser, page.base_url)

    page.goto(page.base_url + "/fr/cookies")
    expect(page.locator("#category-necessary")).to_contain_text("Retenir la langue choisie par le visiteur")
    page.goto(page.base_url + "/en/cookies")
    expect(page.locator("#category-necessary")).to_contain_text("Remember the language the visitor chose")


def test_interface_language_can_be_switched(page):
    log_in(page)
    expect(page.locator(".navbar")).to_contain_text("Inventaire")
    # The menu opens through the page's scripts (loaded last): wait for them under load.
    page.wait_for_load_state("load")
    page.locator("#account-menu").click()
    page.get_by_role("button", name="English").click()
    expect(page.locator(".navbar")).to_contain_text("Inventory")
    expect(page.locator(".navbar")).to_contain_text("Log out")


def test_phone_layout_keeps_every_column_readable(browser, live_server, artifacts):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server + "/fr/cookies")
    lifetime_cell = page.locator("#category-necessary tbody tr").first.locator("td:nth-of-type(4)")
    expect(lifetime_cell).to_contain_text("6 mois")
    # On a phone each cell carries its column name, since the table header is hidden.
    label = lifetime_cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Durée de vie"'
    expect(page.locator("#category-necessary thead")).not_to_be_in_viewport()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
    page.screenshot(path=str(artifacts / "charte-fr-phone.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("email", ["editor@example.com", "admin@example.com"])
def test_the_french_top_bar_holds_on_one_row_at_1280(page, email):
    log_in(page, email)
    expect(page.locator(".navbar")).to_contain_text("Modifications récentes")
    page.wait_for_load_state("load")  # measured with the style sheets applied, even under load
    height = page.locator("nav.navbar").evaluate("bar => bar.getBoundingClientRect().height")
    assert height < 70, f"the top bar wraps ({height:.0f}px high)"


def test_on_a_phone_the_cookie_form_stacks_its_fields(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.base_url = live_server
    log_in(page)
    page.goto(live_server + "/admin/cookie/?search=sessionid")
    page.locator("table.model-list a[href*='/admin/cookie/edit/']").first.click()
    page.wait_for_url("**/admin/cookie/edit/**")
    page.wait_for_load_state("load")  # measured with the style sheets applied, even under load
    domain = page.locator("#domain").bounding_box()
    party = page.locator("label[for=party]").bounding_box()
    assert party["y"] > domain["y"] + domain["height"], "the domain and 'set by' fields share a row on a phone"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways on a phone ({width}px wide)"
    context.close()
