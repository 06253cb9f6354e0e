"""The public cookie policy at /fr/cookies and /en/cookies, as a visitor reads it."""

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from models import Category, Provider, Purpose, db
from tests.helpers import (  # noqa: F401
    charte_rows,
    charte_sections,
    fresh,
    html_of,
    make_cookie,
    publish_draft,
    row_named,
    visible_text,
)

SEED = {
    # name: (FR service, EN service, FR purpose, EN purpose, FR lifetime, EN lifetime)
    "sessionid": (
        "Authentification (front et back office)",
        "Authentication (front and back office)",
        "Se souvenir de l’utilisateur d’une page à une autre.",
        "Remember the user from one page to the next.",
        "14 jours",
        "14 days",
    ),
    "django_language": (
        "Sélection de la langue (front et back office)",
        "Language selection (front and back office)",
        "Se souvenir de la langue du visiteur",
        "Remember the visitor's language",
        "1 an",
        "1 year",
    ),
    "csrftoken": (
        "API (CSRF) (front et back office)",
        "API (CSRF) (front and back office)",
        "Protéger les formulaires et les appels API contre la falsification de requêtes (jeton anti-CSRF)",
        "Protect forms and API calls against cross-site request forgery (anti-CSRF token)",
        "1 an",
        "1 year",
    ),
    "cookies_preferences": (
        "Choix concernant vos préférences sur les cookies",
        "Your cookie preference choices",
        "Se souvenir du choix opéré par le visiteur concernant les cookies",
        "Remember the visitor's choice about cookies",
        "6 mois",
        "6 months",
    ),
}


def page(client, lang):
    response = client.get(f"/{lang}/cookies")
    assert response.status_code == 200
    return html_of(response)


# --- The seed inventory ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_four_seed_cookies_are_listed_as_necessary(client, lang):
    html = page(client, lang)
    rows = charte_rows(html, "necessary")
    assert sorted(row["name"].split()[0] for row in rows) == sorted(SEED)
    for row in rows:
        name = row["name"].split()[0]
        service_fr, service_en, purpose_fr, purpose_en, life_fr, life_en = SEED[name]
        assert row["provider"] == "Opendatasoft"
        assert row["service"] == (service_fr if lang == "fr" else service_en)
        assert row["purposes"] == (purpose_fr if lang == "fr" else purpose_en)
        assert row["lifetime"] == (life_fr if lang == "fr" else life_en)
        assert "app.datajoule.fr" in row["name"]
    for other in ("preferences", "statistics", "marketing"):
        assert charte_rows(html, other) == []


def test_the_french_page_says_which_party_and_storage(client):
    row = row_named(page(client, "fr"), "sessionid")
    assert row["party"] == "Interne (first-party)"
    assert row["type"] == "Cookie HTTP"


def test_the_english_page_says_which_party_and_storage(client):
    row = row_named(page(client, "en"), "sessionid")
    assert row["party"] == "First party"
    assert row["type"] == "HTTP cookie"


def test_the_page_counts_the_cookies(client):
    text = visible_text(page(client, "en"))
    assert "Datajoule uses 4 cookies and similar trackers" in text
    assert "Strictly necessary cookies (4 cookies)" in text
    assert "Marketing cookies (0 cookies)" in text


def test_the_page_names_the_publisher_and_contact(client):
    text = visible_text(page(client, "fr"))
    assert "Ce site est édité par Datajoule" in text
    assert "dpo@example.com" in text
    assert "Opendatasoft, France" in text


# --- Language, links and metadata -------------------------------------------------------------


@pytest.mark.parametrize("lang, title", [("fr", "Charte cookies"), ("en", "Cookie policy")])
def test_page_language_and_title(client, lang, title):
    html = page(client, lang)
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html
    assert f"<title>{title} – Datajoule</title>" in html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_alternate_languages_and_canonical_link(client, lang):
    """Relative to this server by default: the stored page is the same whatever Host was asked."""
    html = page(client, lang)
    assert f'<link rel="canonical" href="/{lang}/cookies">' in html
    assert '<link rel="alternate" hreflang="fr" href="/fr/cookies">' in html
    assert '<link rel="alternate" hreflang="en" href="/en/cookies">' in html
    assert '<link rel="alternate" hreflang="x-default" href="/cookies">' in html


def test_the_public_address_makes_the_links_absolute(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://cookies.example.org")
    make_cookie()
    publish_draft()
    html = page(client, "en")
    assert '<link rel="canonical" href="https://cookies.example.org/en/cookies">' in html
    assert '<link rel="alternate" hreflang="fr" href="https://cookies.example.org/fr/cookies">' in html


@pytest.mark.parametrize("lang, other", [("fr", "en"), ("en", "fr")])
def test_language_switcher_links_to_both_pages_and_marks_the_current_one(client, lang, other):
    html = page(client, lang)
    assert f'<a href="/{lang}/cookies" hreflang="{lang}" lang="{lang}" aria-current="page">' in html
    assert f'<a href="/{other}/cookies" hreflang="{other}" lang="{other}" >' in html
    assert client.get(f"/{other}/cookies").status_code == 200


def test_pages_alternate_without_leaking_the_previous_language(client):
    """Each page is in its own language whatever was visited before."""
    assert "14 days" in visible_text(page(client, "en"))
    assert "14 jours" in visible_text(page(client, "fr"))
    assert "14 days" in visible_text(page(client, "en"))


def _published_on(when):
    """A change published at ``when``."""
    make_cookie(name="dated")
    publish_draft(now=when)


@pytest.mark.parametrize(
    "lang, shown",
    [("fr", "Dernière mise à jour : 14 mars 2025 – version 2"), ("en", "Last updated: 14 March 2025 – version 2")],
)
def test_last_updated_date_is_the_publication_date_with_its_version(client, lang, shown):
    _published_on(datetime(2025, 3, 14, 12, 0))
    html = page(client, lang)
    assert '<time datetime="2025-03-14">' in html
    assert shown in visible_text(html)


def test_an_edit_moves_neither_the_page_nor_its_date_until_it_is_published(client):
    _published_on(datetime(2025, 3, 14, 12, 0))
    before = client.get("/en/cookies").data
    make_cookie(name="unpublished_yet")
    after = client.get("/en/cookies").data
    assert after == before
    assert "unpublished_yet" not in after.decode()


# --- Categories -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, exempt, consent",
    [("fr", "Exemptés de consentement", "Consentement requis"), ("en", "Exempt from consent", "Consent required")],
)
def test_consent_badges(client, lang, exempt, consent):
    sections = charte_sections(page(client, lang))
    assert sections["necessary"]["badge"] == exempt
    for key in ("preferences", "statistics", "marketing"):
        assert sections[key]["badge"] == consent


@pytest.mark.parametrize(
    "lang, empty", [("fr", "Nous n’utilisons aucun cookie de ce type."), ("en", "We use no cookies of this kind.")]
)
def test_an_empty_category_says_so(client, lang, empty):
    sections = charte_sections(page(client, lang))
    assert empty in sections["marketing"]["text"]
    assert empty not in sections["necessary"]["text"]


def test_categories_follow_their_position(client):
    category = fresh().scalars(select(Category).where(Category.key == "marketing")).one()
    category.position = 1
    db.session.commit()
    publish_draft()
    assert list(charte_sections(page(client, "en"))) == ["marketing", "necessary", "preferences", "statistics"]


def test_a_cookie_shows_in_its_category(client):
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    make_cookie(name="_pk_id", category=statistics, party="third", storage_kind="local_storage")
    publish_draft()
    html = page(client, "en")
    rows = charte_rows(html, "statistics")
    assert [row["name"] for row in rows] == ["_pk_id example.org"]
    assert rows[0]["party"] == "Third party"
    assert rows[0]["type"] == "Local storage"
    assert "_pk_id" not in str(charte_rows(html, "necessary"))


def test_a_pattern_cookie_is_shown_with_a_star(client):
    make_cookie(name="_ga_", is_pattern=True)
    publish_draft()
    assert row_named(page(client, "en"), "_ga_*")["name"].startswith("_ga_*")


def test_a_cookie_with_several_purposes_lists_them_all(client):
    purposes = db.session.scalars(select(Purpose).order_by(Purpose.id)).all()
    make_cookie(purposes=purposes[:2])
    publish_draft()
    row = row_named(page(client, "en"), "test_cookie")
    assert row["purposes"] == "Remember the user from one page to the next. Remember the visitor's language"


def test_a_cookie_hidden_from_the_policy_is_absent(client):
    from inventory.publication.versions import PublicationRefused

    make_cookie(name="hidden_cookie", service_fr="Service caché", shown_on_policy=False)
    with pytest.raises(PublicationRefused):  # nothing visitors read has changed
        publish_draft()
    for lang in ("fr", "en"):
        html = page(client, lang)
        assert "hidden_cookie" not in html
        assert "Service caché" not in html
    assert "4 cookies" in visible_text(page(client, "en"))


# --- Missing English text ----------------------------------------------------------------------


def test_missing_english_falls_back_to_french_and_says_so(client):
    purpose = Purpose(description_fr="Mesurer la fréquentation")
    db.session.add(purpose)
    db.session.commit()
    make_cookie(service_fr="Statistiques internes", service_en=None, purposes=[purpose])
    publish_draft()
    row = row_named(page(client, "en"), "test_cookie")
    assert row["service"] == "Statistiques internes (French only, not yet translated)"
    assert row["purposes"] == "Mesurer la fréquentation (French only, not yet translated)"
    french = row_named(page(client, "fr"), "test_cookie")
    assert french["service"] == "Statistiques internes"
    assert "traduit" not in french["purposes"]


def test_fallback_text_is_marked_as_french(client):
    make_cookie(service_fr="Statistiques internes", service_en="")
    publish_draft()
    assert '<span lang="fr">Statistiques internes</span>' in page(client, "en")


def test_an_untranslated_category_falls_back_to_french(client):
    category = fresh().scalars(select(Category).where(Category.key == "marketing")).one()
    category.name_en = None
    category.description_en = None
    db.session.commit()
    publish_draft()
    html = page(client, "en")
    assert charte_sections(html)["marketing"]["title"].startswith(
        "Cookies publicitaires (French only, not yet translated)"
    )
    assert re.search(
        r'<p lang="fr">Ils suivent votre navigation[^<]*</p><p class="untranslated">\(French only, not yet translated\)</p>',
        html,
    )


# --- Providers ------------------------------------------------------------------------------


def test_provider_links_to_its_privacy_policy_when_set(client):
    assert row_named(page(client, "en"), "sessionid")["links"]["provider"] == []
    provider = fresh().scalars(select(Provider).where(Provider.name == "Opendatasoft")).one()
    provider.privacy_policy_url = "https://www.opendatasoft.com/fr/politique-de-confidentialite/"
    db.session.commit()
    publish_draft()
    html = page(client, "en")
    assert row_named(html, "sessionid")["links"]["provider"] == [
        "https://www.opendatasoft.com/fr/politique-de-confidentialite/"
    ]
    assert 'title="Privacy policy of Opendatasoft"' in html
    assert "privacy policy" in visible_text(html)


# --- Editor text is text, never markup -------------------------------------------------------


def test_editor_text_is_escaped(client):
    provider = Provider(name="<b>Evil</b> & Co", privacy_policy_url='https://evil.example/"><script>alert(2)</script>')
    purpose = Purpose(description_fr="<img src=x onerror=alert(3)>", description_en="<img src=x onerror=alert(4)>")
    db.session.add_all([provider, purpose])
    db.session.commit()
    make_cookie(
        name="<i>c</i>",
        service_fr="<script>alert(1)</script>",
        service_en="<script>alert(1)</script>",
        provider=provider,
        purposes=[purpose],
    )
    publish_draft()
    for lang in ("fr", "en"):
        html = page(client, lang)
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>Evil</b>" not in html
        assert "<i>c</i>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        row = row_named(html, "<i>c</i>")
        assert row["service"] == "<script>alert(1)</script>"
        assert row["provider"] == "<b>Evil</b> & Co"
        assert row["links"]["provider"] == ['https://evil.example/"><script>alert(2)</script>']


def test_template_syntax_in_editor_text_stays_literal(client):
    make_cookie(service_fr="{{7*7}} {% if true %}x{% endif %}", service_en="{{7*7}}")
    publish_draft()
    assert row_named(page(client, "fr"), "test_cookie")["service"] == "{{7*7}} {% if true %}x{% endif %}"
    assert row_named(page(client, "en"), "test_cookie")["service"] == "{{7*7}}"


# --- Unknown addresses -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/de/cookies", "/fr/nothing", "/FR/cookies"])
def test_unknown_pages_are_a_friendly_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    text = visible_text(response)
    assert "Traceback" not in text
    assert "Page introuvable" in text or "Page not found" in text
    assert '<a href="/">' in html_of(response)


def test_english_dates_are_british_like_its_spelling_and_the_page_still_says_en(app, client, publisher_client):
    """The English texts spell British (personalisation, recognise): dates follow, in the policy and the back office."""
    _published_on(datetime(2025, 3, 14, 12, 0))
    html = page(client, "en")
    assert '<html lang="en"' in html  # the language, not the formatting locale (en_GB)
    assert "14 March 2025" in visible_text(html) and "March 14" not in html
    back_office = publisher_client.get("/admin/publication/", headers={"Accept-Language": "en"})
    assert "published on 14/03/2025, 13:00" in visible_text(back_office)


@pytest.mark.parametrize(
    "lang, shown", [("fr", "Dernière mise à jour : 15 mars 2025"), ("en", "Last updated: 15 March 2025")]
)
def test_last_updated_date_is_the_same_day_for_people_and_machines(client, lang, shown):
    """23:30 UTC on 14 March is 00:30 on 15 March in Paris, the site's time zone."""
    _published_on(datetime(2025, 3, 14, 23, 30))
    html = page(client, lang)
    assert shown in visible_text(html)
    assert '<time datetime="2025-03-15">' in html


@pytest.mark.parametrize("lang, said", [("fr", "pas encore été publiée"), ("en", "not been published yet")])
def test_before_the_first_publication_the_policy_says_it_is_not_published_yet(client, lang, said):
    """A new database without its site settings: nothing can be published yet."""
    from sqlalchemy import delete

    from models import PolicyRendering, PolicyVersion, SiteSettings

    for model in (PolicyRendering, PolicyVersion, SiteSettings):
        db.session.execute(delete(model))
    db.session.commit()
    response = client.get(f"/{lang}/cookies")
    assert response.status_code == 404
    assert said in visible_text(response)
    assert f'<html lang="{lang}">' in html_of(response)
