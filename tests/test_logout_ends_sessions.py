"""Logging out ends the session on the server: a copy of the old session cookie, the
remember-me cookie or an authentication token opens nothing afterwards."""

from datetime import timedelta

from sqlalchemy import select

from models import User, db
from tests.conftest import PASSWORD, csrf_token_from


def log_in(client, remember=False):
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    data = {"email": "editor@example.com", "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    assert client.post("/account/login", data=data).status_code == 302
    client.csrf = csrf_token_from(client.get("/admin/cookie/").get_data(as_text=True))


def cookies_of(client):
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def opens_the_back_office(app, cookies):
    stranger = app.test_client()
    for name, value in cookies.items():
        stranger.set_cookie(name, value)
    return stranger.get("/admin/cookie/").status_code == 200


def test_an_old_session_cookie_is_dead_after_logout(app):
    client = app.test_client()
    log_in(client)
    copied = cookies_of(client)
    assert opens_the_back_office(app, copied)
    client.post("/account/logout", data={"csrf_token": client.csrf})
    assert not opens_the_back_office(app, copied)


def test_an_old_remember_me_cookie_is_dead_after_logout(app):
    client = app.test_client()
    log_in(client, remember=True)
    remember = {name: value for name, value in cookies_of(client).items() if name == "remember_token"}
    assert remember, "the login form offers remember-me"
    assert opens_the_back_office(app, remember)
    client.post("/account/logout", data={"csrf_token": client.csrf})
    assert not opens_the_back_office(app, remember)


def test_remember_me_and_sessions_last_a_working_fortnight_at_most(app):
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=14)
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=12)


def test_a_token_made_before_logout_opens_nothing_after(app):
    client = app.test_client()
    log_in(client)
    user = db.session.scalars(select(User).where(User.email == "editor@example.com")).one()
    token = user.get_auth_token()
    client.post("/account/logout", data={"csrf_token": client.csrf})
    response = app.test_client().get("/admin/cookie/", headers={"Authentication-Token": token})
    assert response.status_code == 302
