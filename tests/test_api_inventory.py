"""GET /api/v1/inventory.json: what the policy shows, for any site to read, cached like it."""

import json

from sqlalchemy import select

from models import Cookie, Purpose, db
from tests.helpers import fresh, make_cookie, publish_draft, statements_sent

URL = "/api/v1/inventory.json"


def document(client, **headers):
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response, json.loads(response.data)


def cookie_named(doc, name):
    (found,) = [cookie for cookie in doc["cookies"] if cookie["name"] == name]
    return found


def test_it_lists_what_the_policy_shows(client):
    _, doc = document(client)
    assert doc["format"] == "cookie-policy"
    assert sorted(cookie["name"] for cookie in doc["cookies"]) == [
        "cookies_preferences",
        "csrftoken",
        "django_language",
        "sessionid",
    ]
    session = cookie_named(doc, "sessionid")
    assert session["provider"] == "Opendatasoft"
    assert session["category"] == "necessary"
    assert session["service"] == {
        "fr": "Authentification (front et back office)",
        "en": "Authentication (front and back office)",
    }
    assert session["purposes"] == [
        {
            "fr": "Se souvenir de l’utilisateur d’une page à une autre.",
            "en": "Remember the user from one page to the next.",
        }
    ]
    assert session["lifetime"] == {"unit": "days", "amount": 14, "fr": "14 jours", "en": "14 days"}
    assert [category["key"] for category in doc["categories"]] == [
        "necessary",
        "preferences",
        "statistics",
        "marketing",
    ]
    assert [provider["name"] for provider in doc["providers"]] == ["Opendatasoft"]
    assert doc["publisher"]["contact_email"] == "dpo@example.com"


def test_hidden_cookies_and_editors_notes_stay_private(client):
    make_cookie(name="hidden_cookie", shown_on_policy=False)
    make_cookie(name="noted_cookie", notes="internal: ask the agency")
    publish_draft()
    response, doc = document(client)
    names = [cookie["name"] for cookie in doc["cookies"]]
    assert "hidden_cookie" not in names
    assert "noted_cookie" in names
    assert b"internal: ask the agency" not in response.data
    assert "notes" not in cookie_named(doc, "noted_cookie")


def test_a_missing_english_text_is_null(client):
    purpose = Purpose(description_fr="Mesurer la fréquentation")
    db.session.add(purpose)
    db.session.commit()
    make_cookie(service_en=None, purposes=[purpose])
    publish_draft()  # in French only
    cookie = cookie_named(document(client)[1], "test_cookie")
    assert cookie["service"]["en"] is None
    assert cookie["purposes"] == [{"fr": "Mesurer la fréquentation", "en": None}]


def test_any_site_may_read_it_and_no_cookie_is_set(client):
    for _ in range(2):  # rendered, then from memory
        response, _ = document(client, Origin="https://www.example.org")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Set-Cookie" not in response.headers
        # Nothing of the visitor's (Origin, Cookie) changes the document: it varies on its encoding only.
        assert response.headers["Vary"] == "Accept-Encoding"


def test_cached_with_validators_and_at_most_two_statements(client):
    first, _ = document(client)
    with statements_sent() as sent:
        again = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
        full = client.get(URL)
    assert again.status_code == 304
    assert full.data == first.data
    assert len(sent) <= 4, sent  # two requests, two statements at most each
    assert "Last-Modified" in first.headers


def test_an_edit_is_in_the_next_document(client):
    before, _ = document(client)
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "csrftoken")).one()
    cookie.service_en = "Forgery protection"
    db.session.commit()
    # Saved, not published: the feed is still the published version's.
    unchanged = client.get(URL, headers={"If-None-Match": before.headers["ETag"]})
    assert unchanged.status_code == 304
    assert client.get(URL).data == before.data

    version = publish_draft("Texte anglais de csrftoken")
    after, doc = document(client, **{"If-None-Match": before.headers["ETag"]})
    assert after.headers["ETag"] != before.headers["ETag"]
    assert cookie_named(doc, "csrftoken")["service"]["en"] == "Forgery protection"
    assert doc["revision"] == doc["policy_version"] == version.number
    assert doc["revision"] > json.loads(before.data)["revision"]
    assert doc["last_updated"] == doc["published_at"]
    assert doc["sha256"] == version.digest
