"""Every form POST needs the session's CSRF token: without it, nothing changes, whatever the status."""

import pytest
from sqlalchemy import select

from models import Cookie, Provider, Purpose
from tests.conftest import PASSWORD, csrf_token_from
from tests.helpers import count, fresh, html_of, visible_text  # noqa: F401


def ident(model, **where):
    return fresh().scalar(select(model.id).where(*[getattr(model, k) == v for k, v in where.items()]))


@pytest.fixture(params=["missing", "wrong", "other session"])
def bad_token(request, app):
    """No token, a made-up one, or a valid token of another visitor's session."""
    if request.param == "missing":
        return {}
    if request.param == "wrong":
        return {"csrf_token": "not-a-token"}
    other = app.test_client()
    return {"csrf_token": csrf_token_from(html_of(other.get("/account/login")))}


def test_create_without_token_creates_nothing(editor_client, bad_token):
    before = count(Provider)
    editor_client.post("/admin/provider/new/", data={"name": "Forged", **bad_token})
    editor_client.post(
        "/admin/purpose/new/", data={"description_fr": "Forgée", "description_en": "Forged", **bad_token}
    )
    assert count(Provider) == before
    assert count(Purpose, Purpose.description_fr == "Forgée") == 0


def test_edit_without_token_changes_nothing(editor_client, bad_token):
    purpose_id = ident(Purpose, description_fr="Se souvenir de la langue du visiteur")
    editor_client.post(f"/admin/purpose/edit/?id={purpose_id}", data={"description_fr": "Forgée", **bad_token})
    assert fresh().get(Purpose, purpose_id).description_fr == "Se souvenir de la langue du visiteur"


def test_delete_without_token_deletes_nothing(editor_client, bad_token):
    cookie_id = ident(Cookie, name="sessionid")
    editor_client.post("/admin/cookie/delete/", data={"id": cookie_id, **bad_token})
    editor_client.post("/admin/cookie/action/", data={"action": "delete", "rowid": [cookie_id], **bad_token})
    assert count(Cookie) == 4
    assert count(Cookie, Cookie.id == cookie_id) == 1


def test_language_switch_without_token_keeps_the_language(editor_client, bad_token):
    editor_client.post("/language", data={"lang": "en", "next": "/admin/", **bad_token})
    page = html_of(editor_client.get("/admin/"))
    assert "Se déconnecter" in page
    assert "Log out" not in page


def test_language_switch_with_the_token_changes_the_language(editor_client):
    response = editor_client.post("/language", data={"lang": "en", "next": "/admin/", "csrf_token": editor_client.csrf})
    assert response.status_code == 302
    assert "Log out" in html_of(editor_client.get("/admin/"))


def test_logout_without_token_keeps_the_session(editor_client, bad_token):
    editor_client.post("/account/logout", data=bad_token)
    assert editor_client.get("/admin/").status_code == 200


def test_login_without_token_does_not_log_in(app, bad_token):
    client = app.test_client()
    client.get("/account/login")
    client.post("/account/login", data={"email": "editor@example.com", "password": PASSWORD, **bad_token})
    assert client.get("/admin/").status_code == 302


def test_a_refused_post_explains_itself_without_a_traceback(editor_client):
    response = editor_client.post("/admin/provider/new/", data={"name": "Forged"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    text = visible_text(response)
    assert "Traceback" not in text
    assert "nothing was changed" in text.lower() or "rien n'a été modifié" in text.lower()


def test_language_switch_only_redirects_within_the_site(editor_client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = editor_client.post(
            "/language", data={"lang": "en", "next": target, "csrf_token": editor_client.csrf}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/admin/", target
