"""Password guessing is stopped: 5 failures for an account, or 50 from one address, within 15
minutes lock further attempts (429), with the same answer for known and unknown e-mails."""

import logging

from hardening.throttle import ADDRESS_MAX_FAILURES
from models import LoginAttempt, db
from tests.conftest import PASSWORD, csrf_token_from


def attempt(client, email, password, addr="198.51.100.7"):
    page = client.get("/account/login", environ_base={"REMOTE_ADDR": addr})
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/account/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_five_failures_lock_the_account_even_with_the_right_password(client, caplog):
    caplog.set_level(logging.INFO, logger="charte.auth")
    for _ in range(5):
        assert attempt(client, "editor@example.com", "wrong password!!").status_code == 200
    locked = attempt(client, "editor@example.com", PASSWORD)
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers
    assert "Trop de tentatives" in locked.get_data(as_text=True)  # French by default
    assert any("login locked" in r.message for r in caplog.records)
    assert any("login failed" in r.message for r in caplog.records)
    # Another account from another address is not affected.
    other = attempt(client, "admin@example.com", PASSWORD, addr="203.0.113.9")
    assert other.status_code == 302


def test_unknown_and_known_emails_get_the_same_answers(app):
    known, unknown = app.test_client(), app.test_client()
    for _ in range(5):
        a = attempt(known, "viewer@example.com", "wrong password!!", addr="192.0.2.1")
        b = attempt(unknown, "nobody@example.com", "wrong password!!", addr="192.0.2.2")
        assert a.status_code == b.status_code == 200
        assert _error_text(a) == _error_text(b)
    assert attempt(known, "viewer@example.com", "x", addr="192.0.2.1").status_code == 429
    assert attempt(unknown, "nobody@example.com", "x", addr="192.0.2.2").status_code == 429


def _error_text(response):
    import re

    return re.findall(r'class="fs-error-msg"[^>]*>(.*?)<', response.get_data(as_text=True), re.S)


def test_one_address_trying_many_accounts_is_locked(client):
    for i in range(ADDRESS_MAX_FAILURES):
        attempt(client, f"guess{i}@example.com", "wrong password!!", addr="192.0.2.50")
    response = attempt(client, "admin@example.com", PASSWORD, addr="192.0.2.50")
    assert response.status_code == 429


def test_english_speakers_get_the_message_in_english(client):
    for _ in range(5):
        attempt(client, "editor@example.com", "wrong password!!")
    page = client.get("/account/login", headers={"Accept-Language": "en"}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/account/login",
        data={"email": "editor@example.com", "password": PASSWORD, "csrf_token": token},
        headers={"Accept-Language": "en"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_lock_expires_after_the_window(client):
    from datetime import timedelta

    for _ in range(5):
        attempt(client, "editor@example.com", "wrong password!!")
    for row in db.session.scalars(db.select(LoginAttempt)):
        row.attempted_at -= timedelta(minutes=16)
    db.session.commit()
    assert attempt(client, "editor@example.com", PASSWORD).status_code == 302
