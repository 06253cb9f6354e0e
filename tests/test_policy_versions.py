"""The published versions as visitors and sites meet them: the current version on the policy,
the archive, each version as it was, what changed, the JSON feeds, compression, 304s."""

import gzip
import json

import brotli
import pytest
from sqlalchemy import select

from models import Cookie, Purpose, SiteSettings, db
from tests.helpers import fresh, html_of, make_cookie, publish_draft, row_named, visible_text


def change_a_purpose(fr, en):
    purpose = fresh().scalars(select(Purpose).where(Purpose.description_en.like("Remember the user%"))).one()
    old = (purpose.description_fr, purpose.description_en)
    purpose.description_fr, purpose.description_en = fr, en
    db.session.commit()
    return old


def test_an_edit_reaches_visitors_only_when_published(client):
    old_fr, _ = change_a_purpose("Garder la session ouverte", "Keep the session open")
    assert row_named(html_of(client.get("/fr/cookies")), "sessionid")["purposes"] == old_fr
    publish_draft("Finalité de sessionid reformulée")
    assert row_named(html_of(client.get("/fr/cookies")), "sessionid")["purposes"] == "Garder la session ouverte"
    assert row_named(html_of(client.get("/en/cookies")), "sessionid")["purposes"] == "Keep the session open"


@pytest.mark.parametrize("lang, words", [("fr", "version 2"), ("en", "version 2")])
def test_the_policy_shows_its_version_number(client, lang, words):
    make_cookie()
    publish_draft()
    assert words in visible_text(client.get(f"/{lang}/cookies"))


@pytest.mark.parametrize(
    "lang, note, replaced",
    [
        ("fr", "Nouveau cookie de test", "remplacée par la version 2"),
        ("en", "A new test cookie", "replaced by version 2"),
    ],
)
def test_the_archive_lists_every_version_and_each_version_is_kept_as_it_was(client, lang, note, replaced):
    make_cookie(name="added_in_v2")
    version = publish_draft("Nouveau cookie de test")
    archive = client.get(f"/{lang}/cookies/versions")
    assert archive.status_code == 200
    text = visible_text(archive)
    assert "Version 1" in text and "Version 2" in text
    if lang == "fr":
        assert note in text
    first = client.get(f"/{lang}/cookies/versions/1")
    assert first.status_code == 200
    assert "added_in_v2" not in first.get_data(as_text=True)
    assert replaced in visible_text(first)
    second = visible_text(client.get(f"/{lang}/cookies/versions/{version.number}"))
    assert "added_in_v2" in second


@pytest.mark.parametrize(
    "lang, old, new",
    [
        ("fr", "Se souvenir de l’utilisateur d’une page à une autre.", "Garder la session ouverte"),
        ("en", "Remember the user from one page to the next.", "Keep the session open"),
    ],
)
def test_the_changes_show_the_old_and_new_text_in_the_visitors_language(client, lang, old, new):
    change_a_purpose("Garder la session ouverte", "Keep the session open")
    publish_draft()
    page = client.get(f"/{lang}/cookies/versions/2/changes")
    assert page.status_code == 200
    html = html_of(page)
    assert "<del aria-label" in html
    text = visible_text(page)
    assert old in text and new in text
    other = "Keep the session open" if lang == "fr" else "Garder la session ouverte"
    assert other not in text  # the other language's text is not the visitor's


def test_added_and_removed_cookies_are_named_in_the_changes(client):
    make_cookie(name="brand_new")
    publish_draft()
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "brand_new")).one()
    db.session.delete(cookie)
    db.session.commit()
    publish_draft()
    added = visible_text(client.get("/en/cookies/versions/2/changes"))
    assert "Added brand_new" in added
    removed = visible_text(client.get("/en/cookies/versions/3/changes"))
    assert "Removed brand_new" in removed
    since_first = visible_text(client.get("/en/cookies/versions/3/changes?since=1"))
    assert "brand_new" not in since_first and "No change" in since_first


@pytest.mark.parametrize(
    "path",
    [
        "/fr/cookies/versions/2",
        "/en/cookies/versions/0",
        "/fr/cookies/versions/-1",
        "/fr/cookies/versions/99999999999999999999999",
        "/fr/cookies/versions/abc",
        "/fr/cookies/versions/1/changes?since=5",
        "/fr/cookies/versions/1/changes?since=99999999999999999999",
        "/api/v1/policy/2.json",
        "/api/v1/policy/99999999999999999999.json",
    ],
)
def test_a_version_that_does_not_exist_is_a_404_never_a_500(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_an_unknown_version_is_a_404_in_the_visitors_language(client):
    assert "Page introuvable" in visible_text(client.get("/fr/cookies/versions/7"))
    assert "Page not found" in visible_text(client.get("/en/cookies/versions/7"))


def test_a_private_archive_is_not_public(client):
    settings = fresh().scalars(select(SiteSettings)).one()
    settings.archive_public = False
    db.session.commit()
    for path in ("/fr/cookies/versions", "/en/cookies/versions/1", "/api/v1/policy/1.json"):
        assert client.get(path).status_code == 404, path
    assert client.get("/fr/cookies").status_code == 200
    assert "/fr/cookies/versions" not in client.get("/fr/cookies").get_data(as_text=True)


def test_the_feeds_carry_the_version_its_date_and_digest(client):
    make_cookie(name="in_v2")
    version = publish_draft()
    current = client.get("/api/v1/policy.json").get_json()
    assert (current["policy_version"], current["sha256"]) == (2, version.digest)
    assert "in_v2" in {c["name"] for c in current["cookies"]}
    first = client.get("/api/v1/policy/1.json").get_json()
    assert first["policy_version"] == 1 and "in_v2" not in {c["name"] for c in first["cookies"]}
    legacy = client.get("/api/v1/inventory.json").get_json()
    assert legacy["revision"] == 2 and legacy["cookies"] == current["cookies"]
    assert client.get("/api/v1/policy.json").headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "accept, encoding",
    [
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("", None),
    ],
)
def test_each_encoding_has_its_own_bytes_and_etag(client, accept, encoding):
    identity = client.get("/fr/cookies")
    response = client.get("/fr/cookies", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    decoded = {"gzip": gzip.decompress, "br": brotli.decompress, None: lambda data: data}[encoding](response.data)
    assert decoded == identity.data
    if encoding:
        assert response.headers["ETag"] != identity.headers["ETag"]
        assert len(response.data) < len(identity.data)
    again = client.get("/fr/cookies", headers={"Accept-Encoding": accept, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_304_for_one_encoding_is_not_given_for_another(client):
    tag = client.get("/fr/cookies", headers={"Accept-Encoding": "br"}).headers["ETag"]
    assert client.get("/fr/cookies", headers={"Accept-Encoding": "gzip", "If-None-Match": tag}).status_code == 200


def test_the_current_page_is_stored_with_its_version_and_verified(app, client, runner):
    from models import PolicyRendering

    body = client.get("/en/cookies").data
    stored = fresh().scalars(select(PolicyRendering).where(PolicyRendering.lang == "en")).one()
    assert stored.body == body
    assert runner.invoke(args=["policy", "verify"]).exit_code == 0
    with db.engine.begin() as connection:
        connection.execute(
            PolicyRendering.__table__.update().where(PolicyRendering.id == stored.id).values(body=b"forged")
        )
    fresh()
    broken = runner.invoke(args=["policy", "verify"])
    assert broken.exit_code == 1 and "Version 1" in broken.output and "en page" in broken.output


def test_an_upgraded_database_publishes_its_inventory_as_version_1_on_first_visit(client):
    from sqlalchemy import delete

    from models import PolicyRendering, PolicyVersion

    for model in (PolicyRendering, PolicyVersion):
        db.session.execute(delete(model))
    db.session.commit()
    page = client.get("/fr/cookies")
    assert page.status_code == 200 and "version 1" in visible_text(page)
    assert row_named(html_of(page), "sessionid")
    assert fresh().scalars(select(PolicyVersion.number)).all() == [1]


def test_the_json_content_of_a_version_is_what_its_digest_covers(client):
    import hashlib

    from models import PolicyVersion

    version = fresh().scalars(select(PolicyVersion)).one()
    assert hashlib.sha256(version.content.encode()).hexdigest() == version.digest
    assert json.loads(version.content)["document"]["cookies"]


def test_a_crash_while_rendering_leaves_the_version_whole_and_its_pages_are_made_when_asked(app, client, monkeypatch):
    from charte import pages
    from models import PolicyRendering

    def broken(*args, **kwargs):
        raise RuntimeError("the renderer died")

    make_cookie(name="after_the_crash")
    with monkeypatch.context() as patch:
        patch.setattr(pages, "render_policy", broken)
        version = publish_draft()
    assert version.number == 2
    assert fresh().scalars(select(PolicyRendering).where(PolicyRendering.version_id == version.id)).all() == []
    page = client.get("/fr/cookies")
    assert page.status_code == 200 and "after_the_crash" in page.get_data(as_text=True)
    stored = fresh().scalars(select(PolicyRendering).where(PolicyRendering.version_id == version.id)).all()
    assert [r.lang for r in stored] == ["fr"]


def test_editor_text_stays_text_in_the_changes_the_archive_and_the_back_office(client, publisher_client):
    payload = '<img src=x onerror="alert(1)">'
    change_a_purpose(payload, payload)
    for page in (
        publisher_client.get("/admin/publication/"),
        publisher_client.get("/admin/publication/preview/fr"),
    ):
        assert payload not in page.get_data(as_text=True) and "&lt;img src=x" in page.get_data(as_text=True)
    publish_draft(payload)
    for path in ("/fr/cookies/versions", "/en/cookies/versions/2/changes", "/fr/cookies"):
        html = client.get(path).get_data(as_text=True)
        assert payload not in html, path
        assert "&lt;img src=x" in html, path
