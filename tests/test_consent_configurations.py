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


def klaro(client):
    response = client.get("/embed/klaro.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.data)


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
