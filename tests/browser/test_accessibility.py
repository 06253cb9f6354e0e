"""axe-core on every back-office page and on the policy pages, in French and English: no
critical or serious violation (issue 15). axe runs through Playwright's evaluate, which the
pages' strict CSP does not block, so the pages are checked as they are served."""

import pytest

from tests.browser.publishing import log_in
from tests.helpers import make_cookie

SERIOUS = {"critical", "serious"}

BACK_OFFICE = [
    "/admin/",
    "/admin/cookie/",
    "/admin/cookie/new/",
    "/admin/cookie/edit/?id={cookie}",
    "/admin/cookie/details/?id={cookie}",
    "/admin/provider/",
    "/admin/provider/new/",
    "/admin/purpose/",
    "/admin/category/",
    "/admin/settings/",
    "/admin/publication/",
    "/admin/history/",
    "/admin/export/",
    "/admin/import/",
    "/admin/history/cookie/{cookie}",
    "/admin/publication/preview/fr",
    "/admin/category/edit/?id=1",
]

ADMINISTRATOR_ONLY = ["/admin/users/", "/admin/users/new/"]

POLICY = ["/{lang}/cookies", "/{lang}/cookies/versions", "/{lang}/cookies/versions/1", "/account/login"]


def violations(page, axe_source):
    """axe's critical and serious findings on the page: rule, impact and the first offenders."""
    page.evaluate(axe_source)
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{rule['id']} ({rule['impact']}): {[node['target'] for node in rule['nodes'][:3]]}"
        for rule in found
        if rule["impact"] in SERIOUS
    ]


def violations_on(page, axe_source, paths):
    """{path: violations} of the pages with any."""
    found = {}
    for path in paths:
        page.goto(page.base_url + path)
        problems = violations(page, axe_source)
        if problems:
            found[path] = problems
    return found


def language(page, lang):
    """The interface language, chosen as a user does: the account menu."""
    if lang == "en":
        page.wait_for_load_state("load")
        page.locator("#account-menu").click()
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_back_office_page_has_no_serious_accessibility_violation(page, axe_source, lang):
    cookie = make_cookie(name="checked_by_axe").id
    log_in(page, "publisher@example.com")
    language(page, lang)
    found = {}
    for path in BACK_OFFICE:
        page.goto(page.base_url + path.format(cookie=cookie))
        if "/preview/" not in path:  # a preview is in the policy's language, not the interface's
            assert page.locator("html").get_attribute("lang") == lang, path
        problems = violations(page, axe_source)
        if problems:
            found[path] = problems
    assert found == {}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_accounts_pages_have_no_serious_accessibility_violation(page, axe_source, lang):
    log_in(page, "admin@example.com")
    language(page, lang)
    assert violations_on(page, axe_source, ADMINISTRATOR_ONLY) == {}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_policy_pages_have_no_serious_accessibility_violation(page, axe_source, lang):
    assert violations_on(page, axe_source, [path.format(lang=lang) for path in POLICY]) == {}


def test_the_policys_focus_ring_is_visible_against_its_background(page):
    """WCAG 2.4.11/1.4.11: the keyboard focus indicator contrasts 3:1 with the page behind it."""
    page.goto(page.base_url + "/fr/cookies")
    page.keyboard.press("Tab")
    ring, behind = page.evaluate(
        """() => {
            const el = document.activeElement, style = getComputedStyle(el);
            let bg = 'rgba(0, 0, 0, 0)', node = el.parentElement;
            while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
            }
            return [style.outlineColor, bg];
        }"""
    )
    assert contrast(ring, behind) >= 3, (ring, behind)


def contrast(one, two):
    def luminance(css):
        channels = [int(float(part)) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
        linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
