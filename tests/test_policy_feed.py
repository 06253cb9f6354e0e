"""The policy feed as an API other sites build on (issue 13): readable from any origin,
preflighted requests included, cookie-free and read-only, with ETag readable by scripts."""

import pytest

FEEDS = ["/api/v1/policy.json", "/api/v1/policy/1.json", "/api/v1/inventory.json"]
ORIGIN = "https://www.example.org"


@pytest.mark.parametrize("path", FEEDS)
def test_a_preflighted_request_from_another_site_is_answered(client, path):
    preflight = client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert "if-none-match" in allowed
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert "Set-Cookie" not in preflight.headers


@pytest.mark.parametrize("path", FEEDS)
def test_a_script_on_another_site_reads_the_etag_and_gets_304(client, path):
    first = client.get(path, headers={"Origin": ORIGIN})
    assert first.status_code == 200
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in first.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified"} <= exposed
    assert "Set-Cookie" not in first.headers
    again = client.get(path, headers={"Origin": ORIGIN, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert "etag" in again.headers["Access-Control-Expose-Headers"].lower()


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_feed_is_read_only(client, method):
    response = getattr(client, method)("/api/v1/policy.json", headers={"Origin": ORIGIN})
    assert response.status_code == 405


def _validator():
    import json

    import jsonschema

    from inventory.publication.feed_schema import PATH

    schema = json.loads(PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_committed_feed_schema_is_the_generated_one():
    from inventory.publication.feed_schema import PATH, schema_text

    assert PATH.read_text(encoding="utf-8") == schema_text(), "run: python -m inventory.publication.feed_schema"


def test_every_feed_follows_the_published_schema_whatever_the_inventory_holds(client):
    import json

    from sqlalchemy import select

    from models import Category, Provider, SiteSettings, db
    from tests.helpers import make_cookie, publish_draft

    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    provider = Provider(name="Matomo", website="https://matomo.org", privacy_policy_url="https://matomo.org/privacy")
    db.session.add(provider)
    make_cookie(name="_pk_", is_pattern=True, domain="", provider=provider, category=statistics, commit=False)
    make_cookie(name="only_french", service_en=None, lifetime_unit="session", lifetime_amount=None, commit=False)
    make_cookie(name="pixel", party="third", storage_kind="pixel", domain="ads.example.com")
    settings = db.session.scalars(select(SiteSettings)).one()
    settings.consent_manager, settings.consent_settings_url = "klaro", "https://app.example.org/cookies"
    db.session.commit()
    publish_draft()
    validator = _validator()
    served = client.get("/api/v1/policy.schema.json")
    assert served.status_code == 200 and json.loads(served.data) == validator.schema
    for path in ("/api/v1/policy.json", "/api/v1/policy/1.json", "/api/v1/policy/2.json", "/api/v1/inventory.json"):
        feed = json.loads(client.get(path).data)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(feed)]
        assert errors == [], path
    assert {c["name"] for c in json.loads(client.get("/api/v1/policy.json").data)["cookies"]} >= {"_pk_", "pixel"}


def test_the_schema_refuses_what_the_feed_never_holds():
    validator = _validator()
    assert not validator.is_valid({"policy_version": 1})
    schema = validator.schema
    assert "Plain text" in schema["properties"]["categories"]["items"]["properties"]["name"]["description"]


def test_the_feed_says_where_the_policy_is_how_long_a_choice_lasts_and_the_sites_host(client):
    import json

    from models import SiteSettings, db
    from tests.helpers import make_cookie, publish_draft

    settings = db.session.query(SiteSettings).one()
    settings.site_url = "https://www.Example.org/accueil"
    db.session.commit()
    make_cookie(name="basket", domain="", path="/shop")
    publish_draft()
    feed = json.loads(client.get("/api/v1/policy.json", base_url="https://policy.example.net").data)
    assert feed["policy_urls"] == {
        "fr": "https://policy.example.net/fr/cookies",
        "en": "https://policy.example.net/en/cookies",
    }
    assert feed["consent_duration"] == {"months": 6, "days": 182}
    assert feed["publisher"]["consent_months"] == 6
    assert feed["site_host"] == "www.example.org"  # where a cookie with an empty domain is set
    basket = next(c for c in feed["cookies"] if c["name"] == "basket")
    assert (basket["domain"], basket["path"]) == ("", "/shop")
    # Another host asking gets its own addresses (no PUBLIC_URL here).
    other = json.loads(client.get("/api/v1/policy.json", base_url="http://127.0.0.1:5000").data)
    assert other["policy_urls"]["fr"] == "http://127.0.0.1:5000/fr/cookies"


def test_a_version_published_before_the_newer_fields_still_follows_the_schema(client):
    from inventory.publication.versions import document_of
    from models import PolicyVersion, db

    document = document_of(db.session.query(PolicyVersion).order_by(PolicyVersion.number).first())
    for cookie in document["cookies"]:
        cookie.pop("path")
    for name in ("consent_manager", "consent_settings_url", "consent_months"):
        document["publisher"].pop(name)
    feed = {
        "policy_version": 1,
        "published_at": "2026-01-01T00:00:00Z",
        "sha256": "0" * 64,
        "policy_urls": {"fr": "https://p.example/fr/cookies", "en": "https://p.example/en/cookies"},
        "consent_duration": {"months": 6, "days": 182},
        "site_host": None,
        **document,
    }
    assert [error.message for error in _validator().iter_errors(feed)] == []
