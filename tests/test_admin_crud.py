"""Editing the inventory through the back office, as an editor does, and seeing it on the policy."""

import html as htmllib
import re

import pytest
from sqlalchemy import select

from models import Category, Cookie, Provider, Purpose, db
from tests.helpers import (  # noqa: F401
    charte_rows,
    count,
    field_errors,
    flashes,
    fresh,
    html_of,
    list_column,
    listed_cookies,
    make_cookie,
    publish_draft,
    row_named,
    use_english,
    visible_text,
)

SEED_NAMES = ["cookies_preferences", "csrftoken", "django_language", "sessionid"]


@pytest.fixture
def editor(editor_client):
    return use_english(editor_client)


def ident(model, **where):
    return fresh().scalar(select(model.id).where(*[getattr(model, k) == v for k, v in where.items()]))


def post(client, url, **data):
    return client.post(url, data={**data, "csrf_token": client.csrf})


def cookie_form(**overrides):
    necessary = ident(Category, key="necessary")
    provider = ident(Provider, name="Opendatasoft")
    purpose = fresh().scalar(select(Purpose.id).order_by(Purpose.id).limit(1))
    data = {
        "name": "matomo_session",
        "domain": "app.datajoule.fr",
        "party": "first",
        "storage_kind": "http_cookie",
        "provider": str(provider),
        "category": str(necessary),
        "purposes": [str(purpose)],
        "service_fr": "Mesure d'audience (front office)",
        "service_en": "Audience measurement (front office)",
        "lifetime_unit": "days",
        "lifetime_amount": "30",
        "shown_on_policy": "y",
        "notes": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Creating --------------------------------------------------------------------------------


def test_the_empty_create_form_shows_no_errors(editor):
    for endpoint in ("cookie", "provider", "purpose", "category"):
        response = editor.get(f"/admin/{endpoint}/new/")
        assert response.status_code == 200
        assert field_errors(response) == {}, endpoint
        assert "This field is required." not in visible_text(response)


def test_a_refused_form_does_not_mark_the_next_empty_form(editor):
    response = post(editor, "/admin/provider/new/", name="Matomo", website="javascript:alert(1)")
    assert "website" in field_errors(response)
    assert field_errors(editor.get("/admin/provider/new/")) == {}
    assert field_errors(editor.get(f"/admin/provider/edit/?id={ident(Provider, name='Opendatasoft')}")) == {}


def test_the_edit_form_of_a_valid_record_shows_no_errors(editor):
    response = editor.get(f"/admin/cookie/edit/?id={ident(Cookie, name='sessionid')}")
    assert response.status_code == 200
    assert field_errors(response) == {}


def test_create_provider_purpose_and_cookie_then_see_it_on_both_pages(editor):
    response = post(
        editor,
        "/admin/provider/new/",
        name="Matomo",
        website="https://matomo.org",
        privacy_policy_url="https://matomo.org/privacy-policy/",
        country="NZ",
    )
    assert response.status_code == 302
    assert ("success", "Record was successfully created.") in flashes(editor.get(response.headers["Location"]))
    provider = fresh().scalars(select(Provider).where(Provider.name == "Matomo")).one()
    assert (provider.website, provider.country) == ("https://matomo.org", "NZ")
    provider_id = provider.id

    response = post(
        editor,
        "/admin/purpose/new/",
        description_fr="Mesurer l'audience du site",
        description_en="Measure the site's audience",
    )
    assert response.status_code == 302
    purpose_id = ident(Purpose, description_fr="Mesurer l'audience du site")
    statistics = ident(Category, key="statistics")

    response = post(
        editor,
        "/admin/cookie/new/",
        **cookie_form(
            name="_pk_id.*",
            domain=".Datajoule.fr",
            party="third",
            storage_kind="http_cookie",
            provider=str(provider_id),
            category=str(statistics),
            purposes=[str(purpose_id), str(ident(Purpose, description_fr="Se souvenir de la langue du visiteur"))],
            service_fr="Mesure d'audience (front office)",
            service_en="Audience measurement (front office)",
            lifetime_unit="months",
            lifetime_amount="13",
        ),
    )
    assert response.status_code == 302, field_errors(response)
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "_pk_id.*")).one()
    assert cookie.domain == ".datajoule.fr"
    assert cookie.is_pattern is True
    assert cookie.provider.name == "Matomo"
    assert cookie.category.key == "statistics"
    assert sorted(p.description_fr for p in cookie.purposes) == [
        "Mesurer l'audience du site",
        "Se souvenir de la langue du visiteur",
    ]
    assert (cookie.lifetime_unit, cookie.lifetime_amount) == ("months", 13)
    # Saved, not yet published: visitors still read version 1.
    assert "_pk_id.*" not in html_of(editor.get("/fr/cookies"))

    publish_draft("Cookie Matomo ajouté")
    french = row_named(editor.get("/fr/cookies"), "_pk_id.*")
    assert french["provider"] == "Matomo"
    assert french["links"]["provider"] == ["https://matomo.org/privacy-policy/"]
    assert french["service"] == "Mesure d’audience (front office)"  # typed with ', shown in French typography
    assert "Mesurer l’audience du site" in french["purposes"]
    assert french["lifetime"] == "13 mois"
    assert french["party"] == "Tiers (third-party)"
    assert [row["name"].split()[0] for row in charte_rows(editor.get("/fr/cookies"), "statistics")] == ["_pk_id.*"]

    english = row_named(editor.get("/en/cookies"), "_pk_id.*")
    assert english["service"] == "Audience measurement (front office)"
    assert "Measure the site's audience" in english["purposes"]
    assert english["lifetime"] == "13 months"
    assert english["party"] == "Third party"


def test_create_a_session_cookie_ignores_a_stray_amount(editor):
    response = post(editor, "/admin/cookie/new/", **cookie_form(lifetime_unit="session", lifetime_amount="5"))
    assert response.status_code == 302, field_errors(response)
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "matomo_session")).one()
    assert (cookie.lifetime_unit, cookie.lifetime_amount, cookie.lifetime_minutes) == ("session", None, None)
    publish_draft()
    assert row_named(editor.get("/en/cookies"), "matomo_session")["lifetime"] == "Session"


def test_create_a_cookie_without_english_shows_the_french_on_the_english_page(editor):
    response = post(editor, "/admin/cookie/new/", **cookie_form(service_en=""))
    assert response.status_code == 302
    assert fresh().scalars(select(Cookie).where(Cookie.name == "matomo_session")).one().service_en is None
    publish_draft()  # the text without English is published in French only
    row = row_named(editor.get("/en/cookies"), "matomo_session")
    assert row["service"] == "Mesure d’audience (front office) (French only, not yet translated)"


def test_create_a_category(editor):
    response = post(
        editor,
        "/admin/category/new/",
        key="Social",
        name_fr="Réseaux sociaux",
        name_en="Social media",
        description_fr="Partager sur les réseaux sociaux.",
        description_en="Share on social networks.",
        consent_required="y",
        position="50",
    )
    assert response.status_code == 302, field_errors(response)
    assert ident(Category, key="social") is not None
    assert 'id="category-social"' not in html_of(editor.get("/en/cookies"))
    publish_draft()
    html = html_of(editor.get("/en/cookies"))
    assert 'id="category-social"' in html
    assert "Social media" in visible_text(html)


# --- Editing ---------------------------------------------------------------------------------


def test_editing_a_purpose_changes_both_pages(editor):
    purpose_id = ident(Purpose, description_fr="Se souvenir de la langue du visiteur")
    response = post(
        editor,
        f"/admin/purpose/edit/?id={purpose_id}",
        description_fr="Retenir la langue choisie par le visiteur",
        description_en="Keep the language the visitor chose",
    )
    assert response.status_code == 302, field_errors(response)
    assert ("success", "Record was successfully saved.") in flashes(editor.get(response.headers["Location"]))
    assert row_named(editor.get("/fr/cookies"), "django_language")["purposes"] == "Se souvenir de la langue du visiteur"
    publish_draft()
    assert (
        row_named(editor.get("/fr/cookies"), "django_language")["purposes"]
        == "Retenir la langue choisie par le visiteur"
    )
    assert row_named(editor.get("/en/cookies"), "django_language")["purposes"] == "Keep the language the visitor chose"
    assert "Se souvenir de la langue du visiteur" not in html_of(editor.get("/fr/cookies"))


def test_editing_a_cookie_keeps_its_own_name_and_changes_the_lifetime(editor):
    cookie_id = ident(Cookie, name="sessionid")
    form = cookie_form(
        name="sessionid",
        service_fr="Authentification (front et back office)",
        service_en="Authentication (front and back office)",
        purposes=[str(ident(Purpose, description_fr="Se souvenir de l’utilisateur d’une page à une autre."))],
        lifetime_unit="hours",
        lifetime_amount="12",
    )
    response = post(editor, f"/admin/cookie/edit/?id={cookie_id}", **form)
    assert response.status_code == 302, field_errors(response)
    publish_draft()
    assert row_named(editor.get("/fr/cookies"), "sessionid")["lifetime"] == "12 heures"
    assert row_named(editor.get("/en/cookies"), "sessionid")["lifetime"] == "12 hours"


def test_hiding_a_cookie_removes_it_from_the_policy(editor):
    cookie_id = ident(Cookie, name="csrftoken")
    form = cookie_form(
        name="csrftoken",
        purposes=[
            str(
                ident(
                    Purpose,
                    description_fr="Protéger les formulaires et les appels API contre la falsification de requêtes (jeton anti-CSRF)",
                )
            )
        ],
        lifetime_unit="years",
        lifetime_amount="1",
        shown_on_policy=None,  # an unticked box is not sent
    )
    response = post(editor, f"/admin/cookie/edit/?id={cookie_id}", **form)
    assert response.status_code == 302, field_errors(response)
    assert "csrftoken" in html_of(editor.get("/fr/cookies"))  # until it is published
    publish_draft()
    assert "csrftoken" not in html_of(editor.get("/fr/cookies"))
    assert "csrftoken" in listed_cookies(editor.get("/admin/cookie/"))


# --- Validation: the form comes back with a message, nothing is written --------------------


def _refused(response, field, message, failed="Nothing was created: please correct the fields marked below."):
    assert response.status_code == 200
    assert [kind for kind, _ in flashes(response)] == ["danger"]
    if failed:
        assert ("danger", failed) in flashes(response)
    errors = field_errors(response)
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]


@pytest.mark.parametrize("address", ["javascript:alert(1)", "ftp://example.com/", "matomo.org"])
def test_a_bad_web_address_is_refused(editor, address):
    response = post(
        editor, "/admin/provider/new/", name="Matomo", website="https://matomo.org", privacy_policy_url=address
    )
    _refused(response, "privacy_policy_url", "Enter a full web address starting with https:// or http://.")
    assert count(Provider, Provider.name == "Matomo") == 0


def test_a_bad_web_address_is_refused_on_edit(editor):
    provider_id = ident(Provider, name="Opendatasoft")
    response = post(
        editor, f"/admin/provider/edit/?id={provider_id}", name="Opendatasoft", website="javascript:alert(1)"
    )
    _refused(response, "website", "https://", failed="Nothing was saved: please correct the fields marked below.")
    assert fresh().get(Provider, provider_id).website == "https://www.opendatasoft.com"


def test_missing_french_text_is_refused(editor):
    response = post(editor, "/admin/cookie/new/", **cookie_form(service_fr="   "))
    _refused(response, "service_fr", "This field is required.")
    response = post(editor, "/admin/purpose/new/", description_fr="", description_en="English only")
    _refused(response, "description_fr", "This field is required.")
    assert count(Cookie) == 4
    assert count(Purpose) == 4


def test_missing_french_text_is_refused_in_french_too(editor_client):
    response = post(editor_client, "/admin/purpose/new/", description_fr="", description_en="English only")
    _refused(response, "description_fr", "Ce champ est requis.", failed=None)
    assert count(Purpose) == 4


@pytest.mark.parametrize("unit", ["days", "months", "years"])
def test_a_lifetime_amount_is_needed_for_a_timed_cookie(editor, unit):
    response = post(editor, "/admin/cookie/new/", **cookie_form(lifetime_unit=unit, lifetime_amount=""))
    _refused(response, "lifetime_amount", "Enter how many")
    assert count(Cookie) == 4


@pytest.mark.parametrize("amount", ["0", "1001", "-3"])
def test_a_lifetime_amount_out_of_range_is_refused(editor, amount):
    response = post(editor, "/admin/cookie/new/", **cookie_form(lifetime_amount=amount))
    _refused(response, "lifetime_amount", "between 1 and 1000")
    assert count(Cookie) == 4


def test_a_cookie_without_purpose_is_refused(editor):
    response = post(editor, "/admin/cookie/new/", **cookie_form(purposes=None))
    _refused(response, "purposes", "Choose at least one purpose.")
    assert count(Cookie) == 4


def test_control_characters_are_refused(editor):
    response = post(editor, "/admin/provider/new/", name="Mato\x1bmo")
    _refused(response, "name", "control characters")
    assert count(Provider) == 1


def test_a_duplicate_provider_name_is_refused(editor):
    response = post(editor, "/admin/provider/new/", name="Opendatasoft", website="https://other.example")
    _refused(response, "name", "Already exists.")
    assert count(Provider) == 1
    assert fresh().scalars(select(Provider)).one().website == "https://www.opendatasoft.com"


def test_renaming_a_provider_onto_another_is_refused(editor):
    db.session.add(Provider(name="Matomo"))
    db.session.commit()
    matomo = ident(Provider, name="Matomo")
    response = post(editor, f"/admin/provider/edit/?id={matomo}", name="Opendatasoft")
    _refused(response, "name", "Already exists.", failed="Nothing was saved: please correct the fields marked below.")
    assert fresh().get(Provider, matomo).name == "Matomo"


@pytest.mark.parametrize("domain", ["app.datajoule.fr", "APP.DATAJOULE.FR", " app.datajoule.fr "])
def test_a_duplicate_cookie_name_and_domain_is_refused(editor, domain):
    response = post(editor, "/admin/cookie/new/", **cookie_form(name="sessionid", domain=domain))
    _refused(response, "name", "Another record already uses this value.")
    assert count(Cookie, Cookie.name == "sessionid") == 1
    assert row_named(editor.get("/en/cookies"), "sessionid")["service"] == "Authentication (front and back office)"


def test_the_same_cookie_name_on_another_domain_is_accepted(editor):
    response = post(editor, "/admin/cookie/new/", **cookie_form(name="sessionid", domain="other.example"))
    assert response.status_code == 302, field_errors(response)
    assert count(Cookie, Cookie.name == "sessionid") == 2


def test_a_duplicate_purpose_is_refused(editor):
    response = post(editor, "/admin/purpose/new/", description_fr="Se souvenir de la langue du visiteur")
    _refused(response, "description_fr", "Already exists.")
    assert count(Purpose) == 4


def test_a_refused_form_keeps_what_the_user_typed(editor):
    response = post(editor, "/admin/cookie/new/", **cookie_form(name="kept_name", lifetime_amount=""))
    assert response.status_code == 200
    assert 'value="kept_name"' in html_of(response)


# --- Deleting ------------------------------------------------------------------------------


def test_deleting_a_provider_still_used_is_refused_with_a_clear_message(editor):
    provider_id = ident(Provider, name="Opendatasoft")
    response = post(editor, "/admin/provider/delete/", id=provider_id)
    assert response.status_code == 302
    messages = flashes(editor.get(response.headers["Location"]))
    assert (
        "danger",
        "“Opendatasoft” still sets 4 cookies: move them to another provider or delete them first.",
    ) in messages
    assert not any(kind == "success" for kind, _ in messages)
    assert count(Provider) == 1
    assert count(Cookie) == 4
    assert len(charte_rows(editor.get("/fr/cookies"))) == 4


def test_deleting_a_provider_still_used_is_explained_in_french(editor_client):
    response = post(editor_client, "/admin/provider/delete/", id=ident(Provider, name="Opendatasoft"))
    messages = flashes(editor_client.get(response.headers["Location"]))
    assert any("Opendatasoft" in text and "4 cookies" in text for kind, text in messages if kind == "danger")
    assert count(Provider) == 1


def test_deleting_a_purpose_still_used_is_refused(editor):
    purpose_id = ident(Purpose, description_fr="Se souvenir de la langue du visiteur")
    response = post(editor, "/admin/purpose/delete/", id=purpose_id)
    messages = flashes(editor.get(response.headers["Location"]))
    assert ("danger", "This purpose is still used by 1 cookie: remove it from that cookie first.") in messages
    assert count(Purpose) == 4
    assert row_named(editor.get("/fr/cookies"), "django_language")["purposes"] == "Se souvenir de la langue du visiteur"


def test_deleting_a_category_still_used_is_refused(editor):
    response = post(editor, "/admin/category/delete/", id=ident(Category, key="necessary"))
    messages = flashes(editor.get(response.headers["Location"]))
    assert any(
        "Strictly necessary cookies" in text or "Cookies nécessaires" in text
        for kind, text in messages
        if kind == "danger"
    )
    assert count(Category) == 4


def test_bulk_deleting_cookies_used_providers_is_refused(editor):
    response = post(
        editor, "/admin/provider/action/", action="delete", rowid=[str(ident(Provider, name="Opendatasoft"))]
    )
    assert response.status_code == 302
    messages = flashes(editor.get(response.headers["Location"]))
    assert any(kind == "danger" for kind, _ in messages)
    assert count(Provider) == 1


def test_deleting_a_cookie_removes_it_from_the_policy(editor):
    response = post(editor, "/admin/cookie/delete/", id=ident(Cookie, name="csrftoken"))
    assert ("success", "Record was successfully deleted.") in flashes(editor.get(response.headers["Location"]))
    assert count(Cookie) == 3
    assert "csrftoken" in html_of(editor.get("/en/cookies"))  # until it is published
    publish_draft()
    assert "csrftoken" not in html_of(editor.get("/en/cookies"))


def test_deleting_an_unused_provider_works(editor):
    post(editor, "/admin/provider/new/", name="Unused")
    response = post(editor, "/admin/provider/delete/", id=ident(Provider, name="Unused"))
    assert ("success", "Record was successfully deleted.") in flashes(editor.get(response.headers["Location"]))
    assert count(Provider) == 1


# --- Finding cookies: search and filters ---------------------------------------------------------


@pytest.fixture
def inventory(app):
    """Two more cookies beside the seed: Matomo's statistics cookie and Google's marketing one."""
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    marketing = db.session.scalars(select(Category).where(Category.key == "marketing")).one()
    matomo, google = Provider(name="Matomo"), Provider(name="Google")
    audience = Purpose(description_fr="Mesurer l'audience", description_en="Measure the audience")
    ads = Purpose(description_fr="Cibler la publicité")  # no English yet
    db.session.add_all([matomo, google, audience, ads])
    make_cookie(
        name="_pk_id",
        domain=".matomo.example",
        provider=matomo,
        category=statistics,
        purposes=[audience],
        party="third",
        storage_kind="local_storage",
        lifetime_unit="months",
        lifetime_amount=13,
    )
    make_cookie(
        name="_ga",
        domain=".google.example",
        provider=db.session.scalars(select(Provider).where(Provider.name == "Google")).one(),
        category=marketing,
        purposes=[db.session.scalars(select(Purpose).where(Purpose.description_fr == "Cibler la publicité")).one()],
        party="third",
        storage_kind="http_cookie",
        service_en=None,
        lifetime_unit="years",
        lifetime_amount=2,
    )
    make_cookie(
        name="session_only",
        domain="",
        lifetime_unit="session",
        lifetime_amount=None,
        storage_kind="session_storage",
    )
    fresh()


def listed(client, query):
    response = client.get(f"/admin/cookie/?{query}")
    assert response.status_code == 200
    return sorted(listed_cookies(response))


SEARCHES = [
    ("sessionid", ["sessionid"]),
    ("_pk", ["_pk_id"]),
    ("Matomo", ["_pk_id"]),  # provider name
    ("google.example", ["_ga"]),  # domain
    ("audience", ["_pk_id"]),  # purpose text, French
    ("Measure the", ["_pk_id"]),  # purpose text, English
    ("publicité", ["_ga"]),
    ("Authentification", ["sessionid"]),  # service text
    ("nothing-matches", []),
    ("_ga", ["_ga"]),  # "_" is a letter, not LIKE's any-character (which matched django_language)
    ("100%", []),
    ("Matomo audience", ["_pk_id"]),  # every word must match
    ("Matomo publicité", []),
    ("^_p", ["_pk_id"]),  # Flask-Admin's "starts with"
    ("=_GA", ["_ga"]),  # and "exactly", case aside
    ("MATOMO", ["_pk_id"]),  # case does not matter, on either database
    ("authentification", ["sessionid"]),
]


def test_search_by_name_provider_domain_and_purpose(editor, inventory):
    # One test for all searches: each case needs a login and an inventory, which cost more than the search.
    for search, expected in SEARCHES:
        assert listed(editor, f"search={search}") == expected, search


def test_search_lists_a_cookie_once_even_when_several_purposes_match(editor, inventory):
    purposes = fresh().scalars(select(Purpose).where(Purpose.description_fr.like("Se souvenir%"))).all()
    cookie = db.session.scalars(select(Cookie).where(Cookie.name == "session_only")).one()
    cookie.purposes = purposes
    db.session.commit()
    response = editor.get("/admin/cookie/?search=souvenir")
    names = listed_cookies(response)
    assert sorted(names) == sorted(set(names))
    assert sorted(names) == ["cookies_preferences", "django_language", "session_only", "sessionid"]
    assert "List (4)" in visible_text(response)


FILTERS = [
    ("flt0_0=Matomo", ["_pk_id"]),  # provider
    ("flt0_0=Opendatasoft", sorted(SEED_NAMES + ["session_only"])),
    ("flt0_1=statistics", ["_pk_id"]),  # category
    ("flt0_1=marketing", ["_ga"]),
    ("flt0_1=preferences", []),
    ("flt0_2=third", ["_ga", "_pk_id"]),  # set by
    ("flt0_2=first", sorted(SEED_NAMES + ["session_only"])),
    ("flt0_3=local_storage", ["_pk_id"]),  # storage kind
    ("flt0_3=session_storage", ["session_only"]),
    ("flt0_4=1", ["_ga"]),  # lifetime over 13 months
    ("flt0_4=0", sorted(SEED_NAMES + ["_pk_id", "session_only"])),  # a session cookie is not over 13 months
    ("flt0_5=1", ["_ga"]),  # English missing
    ("flt0_5=0", sorted(SEED_NAMES + ["_pk_id", "session_only"])),
    ("flt0_0=Opendatasoft&flt1_4=1", []),
    ("flt0_2=third&flt1_3=http_cookie", ["_ga"]),
]


def test_each_filter_returns_the_right_cookies(editor, inventory):
    for query, expected in FILTERS:
        assert listed(editor, query) == expected, query


def test_a_cookie_with_an_untranslated_purpose_counts_as_english_missing(editor, inventory):
    cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    cookie.purposes.append(
        db.session.scalars(select(Purpose).where(Purpose.description_fr == "Cibler la publicité")).one()
    )
    db.session.commit()
    assert listed(editor, "flt0_5=1") == ["_ga", "sessionid"]


def test_the_dashboard_counts_and_links_to_the_cookies_missing_english(editor, inventory):
    html = html_of(editor.get("/admin/"))
    assert "1 cookie lacks English text" in visible_text(html)
    assert listed(editor, "flt0_5=1") == ["_ga"]
    assert "/admin/cookie/?flt0_5=1" in html


def translations_column(client):
    response = html_of(client.get("/admin/cookie/?page_size=100"))
    return dict(zip(listed_cookies(response), list_column(response, "translations")))


def _import_one_from_the_open_cookie_database():
    """A cookie as the Open Cookie Database import leaves it: English texts, and a French
    purpose that is the English behind the [EN] mark."""
    imported = Purpose(description_fr="[EN] Stores the visitor's id", description_en="Stores the visitor's id")
    db.session.add(imported)
    make_cookie(name="_hjid", domain="", purposes=[imported], service_fr="Hotjar", service_en="Hotjar")
    fresh()


def test_a_french_text_still_in_english_counts_as_french_missing(editor, inventory):
    _import_one_from_the_open_cookie_database()
    assert listed(editor, "flt0_8=1") == ["_hjid"]  # French text missing
    # Its English is there: it is not among the cookies missing English.
    assert "_hjid" not in listed(editor, "flt0_5=1")
    # The list says what each row lacks.
    assert translations_column(editor) == {
        "_hjid": "French missing",
        "_ga": "English missing",
        "_pk_id": "Complete",
        **dict.fromkeys(SEED_NAMES + ["session_only"], "Complete"),
    }


def test_the_dashboard_counts_and_links_to_the_cookies_missing_french(editor, inventory):
    _import_one_from_the_open_cookie_database()
    html = html_of(editor.get("/admin/"))
    assert "1 cookie still has the imported English as its French text" in visible_text(html)
    link = re.search(r'imported English as its French text.*?<a class="alert-link" href="([^"]+)"', html, re.S)
    assert listed_cookies(editor.get(htmllib.unescape(link.group(1)))) == ["_hjid"]


def test_the_purpose_list_filters_the_french_texts_still_in_english(editor, inventory):
    _import_one_from_the_open_cookie_database()
    response = editor.get("/admin/purpose/?flt0_1=1")
    assert list_column(response, "description_en") == ["Stores the visitor's id"]


def test_the_dashboard_links_to_the_sample_cookies(editor):
    html = html_of(editor.get("/admin/"))
    assert "4 cookies are sample data from the installation" in visible_text(html)
    link = re.search(r'sample data from the installation.*?<a class="alert-link" href="([^"]+)"', html, re.S).group(1)
    assert sorted(listed_cookies(editor.get(htmllib.unescape(link)))) == SEED_NAMES


def test_provider_list_search(editor, inventory):
    response = editor.get("/admin/provider/?search=goo")
    assert list_column(response, "name") == ["Google"]
