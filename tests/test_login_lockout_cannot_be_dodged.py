"""Every login attempt counts, whatever it carries: a `next` parameter, another content type,
a Unicode variant of the address; success is read from the outcome, not the status code; an
office address is not locked by one person's typos; JSON login and tokens are off."""

import logging

import pytest
from sqlalchemy import func, select

from models import LoginAttempt, User, db
from tests.conftest import PASSWORD, csrf_token_from


def attempt(client, email, password, addr="198.51.100.7", query=""):
    page = client.get("/account/login", environ_base={"REMOTE_ADDR": addr})
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/account/login" + query,
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": addr},
    )


def recorded(success=None):
    db.session.remove()
    query = select(func.count()).select_from(LoginAttempt)
    if success is not None:
        query = query.where(LoginAttempt.success.is_(success))
    return db.session.scalar(query)


@pytest.mark.parametrize("next_", ["admin/", "http://localhost/admin/", "//localhost/admin/", "https://evil.example/"])
def test_a_next_parameter_does_not_take_an_attempt_out_of_the_count(client, next_):
    for _ in range(12):
        attempt(client, "viewer@example.com", "wrong password!!", query=f"?next={next_}")
    assert recorded(success=False) >= 5
    assert attempt(client, "viewer@example.com", PASSWORD, query=f"?next={next_}").status_code == 429


def test_a_json_login_is_refused_and_counted(client):
    page = client.get("/account/login")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/account/login",
        json={"email": "viewer@example.com", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code in (400, 415)
    assert client.get("/admin/").status_code == 302  # not logged in
    assert recorded() == 1


def test_a_success_is_logged_as_a_success(client, caplog):
    caplog.set_level(logging.INFO, logger="charte.auth")
    assert attempt(client, "viewer@example.com", PASSWORD).status_code == 302
    assert recorded(success=True) == 1 and recorded(success=False) == 0
    assert any("login succeeded" in r.message for r in caplog.records)
    assert not any("login failed" in r.message for r in caplog.records)


def test_an_authentication_token_opens_nothing(app, client):
    user = db.session.scalars(select(User).where(User.email == "admin@example.com")).one()
    token = user.get_auth_token()
    response = client.get("/admin/cookie/", headers={"Authentication-Token": token})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_unicode_variants_of_an_address_share_one_lockout(client):
    # From five addresses, so that only the per-account count can stop it.
    for number in range(5):
        attempt(client, "viewer@ｅxample.com", "wrong password!!", addr=f"192.0.2.{10 + number}")
    assert attempt(client, "viewer@example.com", PASSWORD, addr="192.0.2.99").status_code == 429


def test_one_persons_typos_do_not_lock_the_whole_office(client):
    office = "203.0.113.50"
    for _ in range(5):
        attempt(client, "editor@example.com", "wrong password!!", addr=office)
    assert attempt(client, "admin@example.com", PASSWORD, addr=office).status_code == 302
