"""The strict Content-Security-Policy breaks nothing: no violation is reported on the
charte, the login page or any back-office screen, and the admin's interactive parts
(filters, bulk actions, delete confirmation) still work."""

import re

from playwright.sync_api import expect

from tests.browser.test_editor_journey import log_in

SCREENS = [
    "/admin/",
    "/admin/cookie/",
    "/admin/cookie/new/",
    "/admin/cookie/edit/?id={cookie}",
    "/admin/cookie/details/?id={cookie}",
    "/admin/provider/",
    "/admin/provider/new/",
    "/admin/purpose/",
    "/admin/purpose/new/",
    "/admin/category/",
    "/admin/category/new/",
    "/admin/settings/",
    "/admin/settings/edit/?id={settings}",
]


def watch_csp(page):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return violations


def ids(app):
    from models import Cookie, SiteSettings, db

    return {"cookie": db.session.query(Cookie.id).first()[0], "settings": db.session.query(SiteSettings.id).first()[0]}


def test_no_csp_violation_on_public_pages(page):
    violations = watch_csp(page)
    for path in ("/fr/cookies", "/en/cookies", "/account/login", "/nowhere"):
        page.goto(page.base_url + path)
    assert violations == []


def test_no_csp_violation_on_admin_screens(page, app):
    violations = watch_csp(page)
    log_in(page, "admin@example.com")
    known = ids(app)
    for screen in SCREENS:
        page.goto(page.base_url + screen.format(**known))
        page.wait_for_load_state("networkidle")
        assert violations == [], f"{screen}: {violations}"


def test_admin_interactions_work_under_csp(page):
    violations = watch_csp(page)
    log_in(page, "admin@example.com")
    page.goto(page.base_url + "/admin/cookie/")

    # Filters: the menu opens and adds a filter row.
    page.get_by_role("link", name="Ajouter un filtre").click()
    page.locator(".field-filters a.filter", has_text="Prestataire").click()
    expect(page.locator("#filter_form .filter-op, #filter_form select").first).to_be_visible()

    # Delete with confirmation: dismissing keeps the row, accepting deletes it.
    rows = page.locator("table.model-list tbody tr")
    count = rows.count()
    page.once("dialog", lambda dialog: dialog.dismiss())
    rows.first.locator("button[title]").click()
    expect(rows).to_have_count(count)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        rows.first.locator("button[title]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(rows).to_have_count(count - 1)

    # Bulk action: select all, "delete" from the "With selected" menu, confirm.
    page.locator("input.action-rowtoggle").check()
    page.get_by_role("button", name=re.compile("Pour la sélection")).click()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("[data-model-action=delete]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("table.model-list tbody tr td.list-buttons-column")).to_have_count(0)
    assert violations == []
