"""The policy on a site owner's own pages, another origin, with the snippets of the README's
"On your site" (issue 13): vanilla-cookieconsent 3.1.0, Klaro 0.7.22 and tarteaucitron.js 1.34.0
(pinned npm) run the configurations the app generates from the published version."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Category, Purpose, db
from tests.helpers import make_cookie, publish_draft

XSS = '<img src=x onerror="window.__xss = 1">'
TITLE = {"fr": "Nous utilisons des cookies", "en": "We use cookies"}
CHOOSE = {"fr": "Choisir", "en": "Choose"}
ACCEPT_ALL = {"fr": "Tout accepter", "en": "Accept all"}
STATISTICS = {"fr": "Cookies statistiques", "en": "Statistics cookies"}
NAME_COLUMN = {"fr": "Nom du cookie", "en": "Cookie name"}


def cookieconsent_page(app_url, lang):
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Host</title>
<link rel="stylesheet" href="/vendor/vanilla-cookieconsent/dist/cookieconsent.css">
</head><body><h1>A site owner's page</h1>
<script src="/vendor/vanilla-cookieconsent/dist/cookieconsent.umd.js"></script>
<script src="{app_url}/static/embed/cookieconsent.js" defer></script>
</body></html>"""


def measured_cookies(**statistics_texts):
    """Two statistics cookies; ``statistics_texts`` are set on their category (an editor's markup)."""
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    for field, value in statistics_texts.items():
        setattr(statistics, field, value)
    purpose = Purpose(description_fr=f"Mesure d’audience {XSS}", description_en=f"Audience measurement {XSS}")
    db.session.add(purpose)
    make_cookie(name="_pk_id", is_pattern=True, domain="", category=statistics, purposes=[purpose], commit=False)
    make_cookie(name="_pk_ses", domain="", category=statistics, purposes=[purpose])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cookieconsent_shows_our_cookies_per_category_and_an_editors_markup_stays_text(
    page, live_server, other_site, npm_packages, lang
):
    measured_cookies()
    publish_draft()
    other_site.pages["/"] = cookieconsent_page(live_server, lang)
    page.goto(other_site.url + "/")
    banner = page.locator("#cc-main .cm")
    expect(banner).to_be_visible()
    expect(banner.locator("#cm__title")).to_have_text(TITLE[lang])
    banner.get_by_role("button", name=CHOOSE[lang]).click()
    preferences = page.locator("#cc-main .pm")
    expect(preferences).to_be_visible()
    section = preferences.locator(
        ".pm__section--toggle", has=page.locator("button.pm__section-title", has_text=STATISTICS[lang])
    )
    section.locator("button.pm__section-title").click()
    names = section.locator(f'td.pm__table-td[data-column="{NAME_COLUMN[lang]}"]')
    expect(names).to_have_text(["_pk_id*", "_pk_ses"])
    # The necessary cookies are listed too, in their own read-only category.
    necessary = preferences.locator(".pm__section--toggle", has=page.locator("input.section__toggle[value=necessary]"))
    expect(necessary.locator("input.section__toggle")).to_be_disabled()
    # The editor's markup is shown as text; nothing ran.
    expect(section.locator("td.pm__table-td").filter(has_text="onerror").first).to_contain_text("<img")
    assert page.evaluate("window.__xss") is None


def test_a_publication_asks_visitors_again_and_a_draft_edit_does_not(page, live_server, other_site, npm_packages):
    measured_cookies()
    publish_draft()
    other_site.pages["/"] = cookieconsent_page(live_server, "fr")
    page.goto(other_site.url + "/")
    page.locator("#cc-main .cm").get_by_role("button", name=ACCEPT_ALL["fr"]).click()
    expect(page.locator("#cc-main .cm")).to_be_hidden()
    page.reload()
    page.wait_for_function("window.CookieConsent && CookieConsent.validConsent()")
    expect(page.locator("#cc-main .cm")).to_have_count(0)

    make_cookie(name="draft_only")  # an edit of the draft: visitors are not asked again
    page.reload()
    page.wait_for_function("window.CookieConsent && CookieConsent.validConsent()")
    expect(page.locator("#cc-main .cm")).to_have_count(0)

    publish_draft(note="Un cookie de plus")  # a publication: they are
    page.reload()
    expect(page.locator("#cc-main .cm")).to_be_visible()


def declaration_page(app_url, lang, part=None, page_lang="fr"):
    part_attribute = f' data-part="{part}"' if part else ""
    lang_attribute = f' data-lang="{lang}"' if lang else ""
    return f"""<!doctype html>
<html lang="{page_lang}"><head><meta charset="utf-8"><title>Host</title>
<style>
  body {{ font-family: Georgia, serif; }}
  h2 {{ color: rgb(255, 0, 0); }}
  p.host {{ font-size: 30px; }}
  #policy {{ --accent: rgb(0, 128, 0); }}
</style>
</head><body><h1>A site owner's legal page</h1><p class="host">The site's own text.</p>
<div id="policy" data-cookie-policy{lang_attribute}{part_attribute}></div>
<script src="{app_url}/static/embed/policy.js" defer></script>
</body></html>"""


POLICY_TITLE = {"fr": "Charte cookies", "en": "Cookie policy"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_embedded_policy_shows_in_the_sites_page_in_its_language_and_keeps_to_itself(
    page, live_server, other_site, artifacts, lang
):
    measured_cookies()
    publish_draft()
    other_site.pages["/"] = declaration_page(live_server, lang)
    page.goto(other_site.url + "/")
    policy = page.locator("#policy .cookie-policy")
    expect(policy.locator("h1")).to_have_text(POLICY_TITLE[lang])
    expect(policy.locator("table.cookies").first).to_be_visible()
    expect(policy).to_contain_text("_pk_ses")
    # The site's styles stay out of it (its h2 are red), its own stay out of the site.
    heading_color = policy.locator("h2").first.evaluate("h => getComputedStyle(h).color")
    assert heading_color != "rgb(255, 0, 0)"
    assert page.locator("p.host").evaluate("p => getComputedStyle(p).fontSize") == "30px"
    assert "Georgia" in page.locator("h1").first.evaluate("h => getComputedStyle(h).fontFamily")
    # Themed by the site through a custom property.
    link = policy.locator("section#providers a").first
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(0, 128, 0)"
    # An editor's markup stays text.
    expect(policy.locator("table.cookies").last).to_contain_text("<img")
    assert page.evaluate("window.__xss") is None
    # The table of contents moves within the embedded policy.
    policy.locator("nav.toc a[href='#choices']").click()
    assert policy.locator("#choices").evaluate("s => s.getBoundingClientRect().top") < 200
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts / f"embedded-policy-{lang}.png"), full_page=False)


def test_the_embed_takes_the_pages_language_and_can_show_the_cookie_tables_only(page, live_server, other_site):
    other_site.pages["/"] = declaration_page(live_server, None, part="cookies", page_lang="en-GB")
    page.goto(other_site.url + "/")
    policy = page.locator("#policy .cookie-policy")
    expect(policy.locator("h2").first).to_have_text("The cookies we use")
    expect(policy.locator("h1")).to_have_count(0)
    expect(policy.locator("#choices")).to_have_count(0)
    expect(policy).to_contain_text("sessionid")


def klaro_page(app_url, lang):
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Host</title>
<link rel="stylesheet" href="/vendor/klaro/dist/klaro.min.css">
</head><body><h1>A site owner's page</h1>
<script src="/vendor/klaro/dist/klaro-no-css.js" defer></script>
<script src="{app_url}/static/embed/klaro.js" defer></script>
</body></html>"""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_klaro_lists_our_categories_and_providers_and_an_editors_markup_stays_text(
    page, live_server, other_site, npm_packages, lang
):
    measured_cookies(description_fr=f"Mesure d’audience {XSS}", description_en=f"Audience measurement {XSS}")
    publish_draft()
    other_site.pages["/"] = klaro_page(live_server, lang)
    page.goto(other_site.url + "/")
    expect(page.locator("#klaro .cookie-notice")).to_be_visible()
    page.evaluate("klaro.show(undefined, true)")
    modal = page.locator("#klaro .cookie-modal")
    expect(modal).to_be_visible()
    purposes = modal.locator("li.cm-purpose > label .cm-list-title")
    expect(purposes).to_have_text(
        [{"fr": "Cookies nécessaires au fonctionnement", "en": "Strictly necessary cookies"}[lang], STATISTICS[lang]]
    )
    statistics = modal.locator("li.cm-purpose", has=page.locator("#purpose-item-statistics"))
    statistics.locator(".cm-caret a").click()
    service = statistics.locator("li.cm-service")
    expect(service.locator(".cm-list-title")).to_have_text(["Opendatasoft"])
    expect(service).to_contain_text("_pk_id*, _pk_ses")
    # The category's description is an editor's text: shown as typed, never run.
    expect(modal.locator("#purpose-item-statistics-description")).to_contain_text("<img src=x onerror=")
    assert page.evaluate("window.__xss") is None


def tarteaucitron_page(app_url, lang):
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Host</title>
</head><body><h1>A site owner's page</h1>
<script src="/vendor/tarteaucitronjs/tarteaucitron.js"></script>
<script>tarteaucitron.events.load = function () {{ window.__tarteaucitronReady = true; }};</script>
<script src="{app_url}/static/embed/tarteaucitron.js" defer></script>
</body></html>"""


def tarteaucitron_ready(page):
    """tarteaucitron binds its buttons half a second after showing them: its load event says when."""
    page.wait_for_function("window.__tarteaucitronReady === true")


TAC_BANNER = {
    "fr": "Certains cookies sont nécessaires au fonctionnement du site.",
    "en": "Some cookies are needed for the site to work.",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tarteaucitron_lists_our_providers_per_category_and_an_editors_markup_stays_text(
    page, live_server, other_site, npm_packages, lang
):
    measured_cookies(name_fr=f"Statistiques {XSS}")
    publish_draft()
    other_site.pages["/"] = tarteaucitron_page(live_server, lang)
    page.goto(other_site.url + "/")
    banner = page.locator("#tarteaucitronAlertBig")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(TAC_BANNER[lang])
    tarteaucitron_ready(page)
    page.locator("#tarteaucitronCloseAlert").click()  # "Personalise": the panel
    panel = page.locator("#tarteaucitron")
    expect(panel).to_be_visible()
    # Our statistics category holds its provider, with the cookies, lifetimes and purposes.
    service = panel.locator("#tarteaucitronServices_analytic li.tarteaucitronLine")
    expect(service).to_have_count(1)
    expect(service.locator(".tarteaucitronH3")).to_have_text("Opendatasoft")
    expect(service).to_contain_text("_pk_id*")
    expect(service).to_contain_text("_pk_ses")
    title = panel.locator("#tarteaucitronServicesTitle_analytic .catToggleBtn")
    expect(title).to_contain_text({"fr": "Statistiques <img", "en": "Statistics cookies"}[lang])
    # The cookies needing no consent are named on the "mandatory" line, not offered for refusal.
    mandatory = panel.locator("#tarteaucitronServices_mandatory")
    expect(mandatory).to_contain_text("sessionid")
    assert page.evaluate("Object.keys(tarteaucitron.services).filter(k => k.startsWith('provider-')).length") == 1
    # The purpose's markup is shown as text; nothing ran.
    expect(service).to_contain_text("<img src=x onerror=")
    assert page.evaluate("window.__xss") is None


def test_tarteaucitron_deletes_a_refused_services_cookie_and_keeps_the_choice_six_months(
    page, live_server, other_site, npm_packages
):
    measured_cookies()
    publish_draft()
    other_site.pages["/"] = tarteaucitron_page(live_server, "fr")
    page.goto(other_site.url + "/")
    expect(page.locator("#tarteaucitronAlertBig")).to_be_visible()
    tarteaucitron_ready(page)
    page.evaluate("document.cookie = '_pk_ses=1; path=/'")
    page.locator("#tarteaucitronAllDenied2").click()
    expect(page.locator("#tarteaucitronAlertBig")).to_be_hidden()
    cookies = {c["name"]: c for c in page.context.cookies(other_site.url)}
    assert "_pk_ses" not in cookies
    assert "provider-" in cookies["tarteaucitron"]["value"] and "=false" in cookies["tarteaucitron"]["value"]
    days = (cookies["tarteaucitron"]["expires"] - page.evaluate("Date.now() / 1000")) / 86400
    assert 181 < days < 183


def test_the_embedded_policys_button_reopens_tarteaucitron(page, live_server, other_site, npm_packages):
    measured_cookies()  # without a cookie needing consent, tarteaucitron shows no banner
    set_consent_manager("tarteaucitron")
    publish_draft()
    other_site.pages["/"] = tarteaucitron_page(live_server, "en").replace(
        "</body>", declaration_page(live_server, "en").split("<body>")[1]
    )
    page.goto(other_site.url + "/")
    tarteaucitron_ready(page)
    page.locator("#tarteaucitronPersonalize2").click()  # accept all
    expect(page.locator("#tarteaucitronAlertBig")).to_be_hidden()
    page.locator("#policy").get_by_role("button", name=CHANGE["en"]).click()
    expect(page.locator("#tarteaucitron")).to_be_visible()


def set_consent_manager(manager):
    from models import SiteSettings

    db.session.scalars(select(SiteSettings)).one().consent_manager = manager
    db.session.commit()


CHANGE = {"fr": "Modifier mes choix sur les cookies", "en": "Change my cookie choices"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_embedded_policys_button_reopens_cookieconsent(page, live_server, other_site, npm_packages, lang):
    set_consent_manager("cookieconsent")
    publish_draft()
    other_site.pages["/"] = cookieconsent_page(live_server, lang).replace(
        "</body>", declaration_page(live_server, lang).split("<body>")[1]
    )
    page.goto(other_site.url + "/")
    page.locator("#cc-main .cm").get_by_role("button", name=ACCEPT_ALL[lang]).click()
    expect(page.locator("#cc-main .pm")).to_be_hidden()
    page.locator("#policy").get_by_role("button", name=CHANGE[lang]).click()
    expect(page.locator("#cc-main .pm")).to_be_visible()


def test_the_embedded_policys_button_reopens_klaro(page, live_server, other_site, npm_packages):
    set_consent_manager("klaro")
    publish_draft()
    other_site.pages["/"] = klaro_page(live_server, "fr").replace(
        "</body>", declaration_page(live_server, "fr").split("<body>")[1]
    )
    page.goto(other_site.url + "/")
    expect(page.locator("#klaro .cookie-notice")).to_be_visible()
    page.locator("#policy").get_by_role("button", name=CHANGE["fr"]).click()
    expect(page.locator("#klaro .cookie-modal")).to_be_visible()


# Managers that are not on npm: the host page stands in for them with the documented call.
STAND_INS = {
    "cookiebot": "window.Cookiebot = {renew() { window.__reopened = 'cookiebot'; }};",
    "didomi": "window.Didomi = {preferences: {show() { window.__reopened = 'didomi'; }}};",
    "onetrust": "window.OneTrust = {ToggleInfoDisplay() { window.__reopened = 'onetrust'; }};",
}


@pytest.mark.parametrize("manager", sorted(STAND_INS))
def test_the_embedded_policys_button_makes_each_managers_documented_call(page, live_server, other_site, manager):
    set_consent_manager(manager)
    publish_draft()
    html = declaration_page(live_server, "en")
    other_site.pages["/"] = html.replace("</head>", f"<script>{STAND_INS[manager]}</script></head>")
    page.goto(other_site.url + "/")
    page.locator("#policy").get_by_role("button", name=CHANGE["en"]).click()
    assert page.evaluate("window.__reopened") == manager
