"""An editor uploads a CSV in the back office, sees the preview, confirms, and the new
cookies appear on the charte."""

from playwright.sync_api import expect

from inventory.export import export_bytes
from tests.browser.publishing import publish_as_publisher
from tests.browser.test_editor_journey import log_in


def csv_with_new_cookies():
    header, first = export_bytes("csv").decode("utf-8").splitlines()[:2]
    rows = [first.replace("cookies_preferences", name, 1) for name in ("imported_a", "imported_b")]
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_editor_imports_a_csv_after_a_preview_and_a_publisher_publishes_it(browser, page, app, artifacts):
    data = csv_with_new_cookies()
    log_in(page)
    page.goto(page.base_url + "/admin/import/")
    page.set_input_files("#file", files=[{"name": "nouveaux-cookies.csv", "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name="Prévisualiser l’import").click()

    expect(page.locator("h2")).to_contain_text("Import de nouveaux-cookies.csv")
    changes = page.locator("table.import-changes")
    expect(changes).to_contain_text("imported_a")
    expect(changes).to_contain_text("imported_b")
    expect(page.locator("table.import-counts")).to_contain_text("2")
    page.screenshot(path=str(artifacts / "admin-import-preview.png"), full_page=True)

    # Nothing is written before the confirmation.
    visitor = page.context.new_page()
    visitor.goto(page.base_url + "/fr/cookies")
    expect(visitor.locator("#category-necessary")).not_to_contain_text("imported_a")
    visitor.close()
    page.get_by_role("button", name="Confirmer l’import").click()
    expect(page.locator(".alert-success")).to_contain_text("2 créé(s)")
    page.goto(page.base_url + "/fr/cookies")
    expect(page.locator("#category-necessary")).not_to_contain_text("imported_a")  # the draft only
    publish_as_publisher(browser, page.base_url, "Deux cookies importés")

    page.goto(page.base_url + "/fr/cookies")
    expect(page.locator("#category-necessary")).to_contain_text("imported_a")
    expect(page.locator("#category-necessary")).to_contain_text("imported_b")
    page.goto(page.base_url + "/en/cookies")
    expect(page.locator("#category-necessary")).to_contain_text("imported_b")
