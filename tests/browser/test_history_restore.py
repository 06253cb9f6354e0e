"""An editor changes a cookie's French text; an administrator, in another browser, finds the
change in that cookie's History tab (old and new values), restores the previous version,
and the French policy shows the old text again. No Content-Security-Policy violation on
the way."""

import re

from playwright.sync_api import expect

from tests.browser.publishing import publish_as_publisher
from tests.browser.test_csp import watch_csp
from tests.browser.test_editor_journey import log_in

OLD = "Authentification (front et back office)"
NEW = "Connexion à votre compte (nouvelle rédaction)"


def test_admin_restores_the_version_before_an_editors_change(browser, page, artifacts):
    violations = watch_csp(page)

    # The editor rewrites the French service text of "sessionid".
    log_in(page, "editor@example.com")
    page.goto(page.base_url + "/admin/cookie/?search=sessionid")
    page.locator("table.model-list a[href*='/admin/cookie/edit/']").first.click()
    expect(page.locator("#service_fr")).to_have_value(OLD)
    page.fill("#service_fr", NEW)
    page.click("input[type=submit][value='Enregistrer']")
    expect(page.locator(".alert-success")).to_be_visible()
    publish_as_publisher(browser, page.base_url, "Service de sessionid réécrit")
    page.goto(page.base_url + "/fr/cookies")
    expect(page.locator("#category-necessary")).to_contain_text(NEW)

    # The administrator, in a browser of their own, opens the cookie's History tab.
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    admin = context.new_page()
    admin.set_default_timeout(15000)
    admin.base_url = page.base_url
    admin_violations = watch_csp(admin)
    log_in(admin, "admin@example.com")
    admin.goto(admin.base_url + "/admin/cookie/?search=sessionid")
    admin.locator("table.model-list a[href*='/admin/cookie/details/']").first.click()
    admin.get_by_role("link", name="Historique").click()
    expect(admin).to_have_url(re.compile(r"/admin/history/cookie/\d+$"))

    # The newest entry: modified by the editor, French service text before and after.
    changes = admin.locator("section.history-change")
    latest = changes.first
    expect(latest.locator(".card-header")).to_contain_text("Modifié")
    expect(latest.locator(".card-header")).to_contain_text("editor@example.com")
    row = latest.locator("tr", has=admin.locator("th", has_text="Service et emplacement (français)"))
    expect(row.locator("td.before")).to_have_text(OLD)
    expect(row.locator("td.after")).to_have_text(NEW)
    expect(latest.get_by_role("button", name="Restaurer cette version")).to_have_count(0)
    admin.screenshot(path=str(artifacts / "history-before-restore.png"), full_page=True)

    # "Restore this version" on the previous entry, confirmed in the browser's dialog.
    previous = changes.nth(1)
    dialogs = []
    admin.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    with admin.expect_navigation():
        previous.get_by_role("button", name="Restaurer cette version").click()
    assert dialogs and "Restaurer" in dialogs[0]
    expect(admin.locator(".alert-success")).to_contain_text("sessionid")
    # The restore is itself a change, attributed to the administrator.
    expect(changes.first.locator(".card-header")).to_contain_text("admin@example.com")
    expect(changes.first.locator("td.after").first).to_have_text(OLD)

    # Once published, the policy shows the old text again, and not the editor's.
    publish_as_publisher(browser, admin.base_url, "Ancien texte rétabli")
    admin.goto(admin.base_url + "/fr/cookies")
    necessary = admin.locator("#category-necessary")
    expect(necessary).to_contain_text(OLD)
    expect(necessary).not_to_contain_text(NEW)
    admin.screenshot(path=str(artifacts / "charte-fr-after-restore.png"), full_page=True)
    context.close()
    assert violations == [] and admin_violations == []
