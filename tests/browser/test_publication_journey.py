"""An editor changes a cookie's purpose: the public page does not change. A publisher opens
Publication, sees the difference, publishes with a note; both languages show it, the archive
lists both versions, and the changes page shows the old and the new text."""

from playwright.sync_api import expect

from tests.browser.publishing import log_in

OLD_FR = "Se souvenir de l’utilisateur d’une page à une autre."
NEW_FR = "Garder la session de l’utilisateur ouverte"
NEW_EN = "Keep the user's session open"


def test_a_change_goes_out_only_when_a_publisher_publishes_it(browser, page, artifacts):
    log_in(page, "editor@example.com")
    page.goto(page.base_url + "/admin/purpose/?search=utilisateur")
    page.locator("table.model-list a[href*='/admin/purpose/edit/']").first.click()
    page.fill("#description_fr", NEW_FR)
    page.fill("#description_en", NEW_EN)
    page.click("input[type=submit][value='Enregistrer']")
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(page.base_url + "/fr/cookies")
    expect(page.locator("#category-necessary")).to_contain_text(OLD_FR)
    expect(page.locator("#category-necessary")).not_to_contain_text(NEW_FR)

    # The editor sees the draft in the preview and asks for a review; no Publish button for them.
    page.goto(page.base_url + "/admin/publication/preview/fr")
    expect(page.locator("#category-necessary")).to_contain_text(NEW_FR)
    page.goto(page.base_url + "/admin/publication/")
    expect(page.locator("form.publish-form")).to_have_count(0)
    page.fill("#review-note", "Finalité de sessionid à relire")
    page.get_by_role("button", name="Marquer le brouillon prêt pour relecture").click()
    expect(page.locator(".alert-success")).to_contain_text("prêt pour relecture")

    publisher = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    publisher.base_url = page.base_url
    publisher.set_default_timeout(15000)
    log_in(publisher, "publisher@example.com")
    expect(publisher.locator(".dashboard")).to_contain_text("1 demande de relecture attend")
    publisher.get_by_role("link", name="Ouvrir la publication").click()
    diff = publisher.locator(".policy-diff")
    expect(diff).to_contain_text(OLD_FR)
    expect(diff).to_contain_text(NEW_FR)
    publisher.screenshot(path=str(artifacts / "publication-fr.png"), full_page=True)
    publisher.fill("#note_fr", "Finalité de sessionid reformulée")
    publisher.fill("#note_en", "sessionid purpose reworded")
    publisher.get_by_role("button", name="Publier la version 2").click()
    expect(publisher.locator(".alert-success")).to_contain_text("La version 2 est publiée")
    publisher.context.close()

    page.goto(page.base_url + "/fr/cookies")
    expect(page.locator("#category-necessary")).to_contain_text(NEW_FR)
    expect(page.locator(".updated")).to_contain_text("version 2")
    page.goto(page.base_url + "/en/cookies")
    expect(page.locator("#category-necessary")).to_contain_text(NEW_EN)

    page.goto(page.base_url + "/fr/cookies/versions")
    table = page.locator("table.versions")
    expect(table).to_contain_text("Version 1")
    expect(table).to_contain_text("Version 2")
    expect(table).to_contain_text("Finalité de sessionid reformulée")
    page.get_by_role("link", name="Ce qui a changé").click()
    expect(page.locator("del").first).to_contain_text(OLD_FR)
    expect(page.locator("ins").first).to_contain_text(NEW_FR)
    page.screenshot(path=str(artifacts / "changes-fr.png"), full_page=True)

    page.goto(page.base_url + "/en/cookies/versions/2/changes")
    expect(page.locator("ins").first).to_contain_text(NEW_EN)
    page.goto(page.base_url + "/fr/cookies/versions/1")
    expect(page.locator(".notice")).to_contain_text("remplacée par la version 2")
    expect(page.locator("#category-necessary")).to_contain_text(OLD_FR)


def test_the_archive_reads_on_a_phone_without_scrolling_sideways(browser, live_server, artifacts):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server + "/fr/cookies/versions")
    expect(page.locator("table.versions")).to_contain_text("Version 1")
    label = page.locator("table.versions td").first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "En vigueur depuis le" in label
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the archive scrolls sideways on a phone ({width}px wide)"
    page.screenshot(path=str(artifacts / "versions-fr-phone.png"), full_page=True)
    context.close()
