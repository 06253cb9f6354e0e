"""Consent-manager configurations generated from the published version (issue 13)."""

import json

from sqlalchemy import select

from models import Category, db
from tests.helpers import make_cookie, publish_draft, unpublish_everything

XSS = '<img src=x onerror="alert(1)">'


def config(client):
    response = client.get("/embed/cookieconsent.json", headers={"Origin": "https://www.example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.data)


def test_cookieconsent_revision_is_the_published_version_number(client):
    first = config(client)["revision"]
    make_cookie(name="in_the_draft")
    assert config(client)["revision"] == first  # an edit of the draft changes nothing for visitors
    version = publish_draft()
    assert config(client)["revision"] == version.number == first + 1


def test_cookieconsent_categories_exempt_ones_are_read_only_others_clear_their_cookies(client):
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    make_cookie(name="_ga", is_pattern=True, domain="", category=statistics, commit=False)
    make_cookie(name="_gid", domain=".example.org", category=statistics, commit=False)
    make_cookie(name="tracker", party="third", domain="ads.example.com", category=statistics)
    publish_draft()
    categories = config(client)["categories"]
    assert categories["necessary"] == {"enabled": True, "readOnly": True}
    assert categories["statistics"]["readOnly"] is False and categories["statistics"]["enabled"] is False
    # A third party's cookie is out of a page script's reach: not listed for deletion.
    assert categories["statistics"]["autoClear"]["cookies"] == [
        {"pattern": "^_ga"},
        {"name": "_gid", "domain": ".example.org"},
    ]
    assert "marketing" not in categories  # no cookie in it: no toggle to offer


def test_cookieconsent_texts_are_escaped_html_in_both_languages(client):
    make_cookie(name=f"x{XSS}", service_fr=XSS, service_en=XSS)
    publish_draft()
    body = json.dumps(config(client))
    assert "<img" not in body and "&lt;img" in body
    translations = config(client)["language"]["translations"]
    assert translations["fr"]["consentModal"]["title"] == "Nous utilisons des cookies"
    assert translations["en"]["consentModal"]["title"] == "We use cookies"
    assert 'href="http://localhost/fr/cookies"' in translations["fr"]["consentModal"]["footer"]


def test_without_a_published_version_there_is_no_configuration(client):
    unpublish_everything()
    assert client.get("/embed/cookieconsent.json").status_code == 404


def test_the_policy_fragment_is_the_article_alone_with_absolute_links_and_escaped_texts(client):
    make_cookie(name="fragment_cookie", service_fr=XSS, service_en=XSS)
    publish_draft()
    for lang, title in (("fr", "Charte cookies"), ("en", "Cookie policy")):
        response = client.get(f"/embed/{lang}/policy.html", headers={"Origin": "https://www.example.org"})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        html = response.get_data(as_text=True)
        assert f"<h1>{title}</h1>" in html and "fragment_cookie" in html
        assert "<html" not in html and "<head" not in html and "<script" not in html
        assert "<img" not in html and "&lt;img" in html
        assert 'href="/' not in html and f'href="http://localhost/{lang}/cookies/versions"' in html


def served(client, manager):
    """A consent manager's configuration as any site reads it."""
    response = client.get(f"/embed/{manager}.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.data)


def klaro(client):
    return served(client, "klaro")


def test_klaro_has_one_stable_service_per_provider_and_category_with_its_cookie_patterns(client):
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    make_cookie(name="_ga", is_pattern=True, domain="", category=statistics, commit=False)
    make_cookie(name="^odd", domain=".example.org", category=statistics, service_fr=XSS, service_en=XSS)
    publish_draft()
    config = klaro(client)
    assert config["cookieExpiresAfterDays"] == 182 and config["htmlTexts"] is False
    services = {service["name"]: service for service in config["services"]}
    statistics_service = next(s for name, s in services.items() if name.endswith("-statistics"))
    assert statistics_service["required"] is False and statistics_service["purposes"] == ["statistics"]
    # A prefix is a pattern; a name Klaro would read as one is made exact.
    assert sorted(statistics_service["cookies"], key=str) == sorted(
        ["^_ga", ["^\\^odd$", "/", ".example.org"]], key=str
    )
    necessary_service = next(s for name, s in services.items() if name.endswith("-necessary"))
    assert necessary_service["required"] is True
    fr = config["translations"]["fr"]
    assert fr["privacyPolicyUrl"] == "http://localhost/fr/cookies"
    assert fr[statistics_service["name"]]["description"] == "Cookies\u00a0: ^odd, _ga*."
    assert set(fr["purposes"]) == {"necessary", "statistics"}
    # The names do not move from one publication to the next: visitors are not asked again.
    make_cookie(name="another", category=statistics)
    publish_draft()
    assert {s["name"] for s in klaro(client)["services"]} == set(services)


def tarteaucitron(client):
    return served(client, "tarteaucitron")


def test_tarteaucitron_has_a_service_per_consented_provider_and_names_the_exempt_cookies(client):
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    statistics.name_fr = f"Statistiques {XSS}"
    make_cookie(name="_ga", is_pattern=True, domain="", category=statistics, commit=False)
    make_cookie(name="_gid", domain="", category=statistics, commit=False)
    make_cookie(name="odd(name", domain="", category=statistics, service_fr=XSS, service_en=XSS)
    publish_draft()
    config = tarteaucitron(client)
    # Only what needs consent is a service: tarteaucitron would offer to refuse the others.
    (service,) = config["services"]
    assert service["key"].startswith("provider-") and service["key"].endswith("-statistics")
    assert service["type"] == "analytic" and service["needConsent"] is True
    # Exact names it can delete; a prefix or a name that would break its regular expression is
    # only described.
    assert service["cookies"] == ["_gid"]
    assert service["readmoreLink"] == {"fr": "http://localhost/fr/cookies", "en": "http://localhost/en/cookies"}
    fr = config["languages"]["fr"]
    assert fr["privacyUrl"] == "http://localhost/fr/cookies"
    texts = fr["texts"]
    assert texts["analytic"]["title"] == "Statistiques &lt;img src=x onerror=&#34;alert(1)&#34;&gt;"
    description = texts["desc-" + service["key"]]
    assert "_ga*" in description and "odd(name" in description and "<img" not in description
    assert "sessionid" in texts["mandatoryText"] and config["init"]["mandatory"] is True
    assert "<img" not in json.dumps(config)
    assert config["expireDays"] == 182
    en = config["languages"]["en"]["texts"]
    assert en["analytic"]["title"] == "Statistics cookies"


def test_the_consent_duration_setting_reaches_the_policy_and_every_configuration(client):
    from models import SiteSettings

    settings = db.session.scalars(select(SiteSettings)).one()
    settings.consent_months = 13
    db.session.commit()
    assert "conservé 6\u00a0mois" in client.get("/fr/cookies").get_data(as_text=True)  # not yet published
    publish_draft()
    assert "conservé 13\u00a0mois\u202f;" in client.get("/fr/cookies").get_data(as_text=True)
    assert "kept for 13 months;" in client.get("/en/cookies").get_data(as_text=True)
    assert config(client)["cookie"]["expiresAfterDays"] == 395
    assert klaro(client)["cookieExpiresAfterDays"] == 395
    assert tarteaucitron(client)["expireDays"] == 364  # its most: visitors are asked a day early
    db.session.scalars(select(SiteSettings)).one().consent_months = 1
    db.session.commit()
    publish_draft()
    assert "kept for 1 month;" in client.get("/en/cookies").get_data(as_text=True)


def test_the_consent_duration_is_bounded_with_a_clear_message(client):
    import pytest

    from models import SiteSettings
    from rules.validation import InventoryError

    settings = db.session.scalars(select(SiteSettings)).one()
    for bad, message in (
        (0, "Écrivez un nombre de 1 à 13."),
        (14, "Écrivez un nombre de 1 à 13."),
        ("six", "Écrivez un nombre entier."),
    ):
        with pytest.raises(InventoryError) as error:
            settings.consent_months = bad
        assert str(error.value) == message
    db.session.rollback()


def test_a_cookies_path_is_where_the_managers_delete_it(client):
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    make_cookie(name="basket", domain="", path="/shop", category=statistics, commit=False)
    make_cookie(name="_ga", is_pattern=True, domain=".example.org", path="/", category=statistics)
    publish_draft()
    cleared = config(client)["categories"]["statistics"]["autoClear"]["cookies"]
    assert {"name": "basket", "path": "/shop"} in cleared
    service = next(s for s in klaro(client)["services"] if s["name"].endswith("-statistics"))
    assert ["basket", "/shop"] in service["cookies"] and ["^_ga", "/", ".example.org"] in service["cookies"]


def test_a_cookie_path_starts_with_a_slash_and_defaults_to_the_whole_site():
    import pytest

    from rules.validation import InventoryError, cookie_path

    assert cookie_path("") == "/" and cookie_path(None) == "/" and cookie_path(" /shop ") == "/shop"
    for bad in ("shop", "/a b", "/a;b"):
        with pytest.raises(InventoryError):
            cookie_path(bad)
