"""Input that no form can carry is refused up front: NUL characters (400, never a 500), and a
hostile `next` on the login link (dropped, so it cannot count as failed logins)."""

from tests.conftest import csrf_token_from


def test_nul_characters_are_refused_with_400(editor_client, client):
    assert editor_client.get("/admin/cookie/?search=a%00b").status_code == 400
    assert client.get("/admin/history/?record=%00").status_code in (302, 400)
    page = client.get("/account/login")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/account/login", data={"email": "a\x00@example.com", "password": "x", "csrf_token": token})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_hostile_next_logs_nobody_in_and_counts_like_any_attempt(client):
    """Flask-Security refuses a login whose `next` leads off the site; such a POST still counts
    (tests/test_login_lockout_cannot_be_dodged.py): it cannot be a way around the lockout."""
    from models import LoginAttempt, db
    from tests.conftest import PASSWORD

    page = client.get("/account/login?next=//evil.example")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/account/login?next=//evil.example",
        data={"email": "editor@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert "evil.example" not in response.headers.get("Location", "")
    assert client.get("/admin/").status_code == 302
    db.session.remove()
    assert db.session.query(LoginAttempt).filter_by(success=False).count() == 1


def test_bidi_overrides_are_refused_like_control_characters(editor_client):
    from sqlalchemy import select

    from models import Provider, db

    provider = db.session.scalars(select(Provider)).first()
    response = editor_client.post(
        f"/admin/provider/edit/?id={provider.id}",
        data={"name": "Open\u202edatasoft", "country": "FR", "csrf_token": editor_client.csrf},
    )
    assert "caractères de contrôle invisibles" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Provider, provider.id).name == "Opendatasoft"
