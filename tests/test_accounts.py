"""Accounts: argon2id hashes, the password policy in both languages, administrators
managing accounts, sessions ended by deactivation or a new password, optional TOTP
two-factor authentication that can be required for administrators."""

import re

import pytest
from passlib.totp import TOTP
from sqlalchemy import select

from models import User, db
from tests.conftest import PASSWORD, csrf_token_from, login
from tests.helpers import visible_text

TEMP = "temp.account@example.com"


@pytest.fixture
def temp_account(app):
    """A throw-away editor account, removed afterwards."""
    from account.users import create_user

    user = create_user(TEMP, PASSWORD, "editor")
    yield user
    db.session.rollback()
    for leftover in db.session.scalars(select(User).where(User.email.in_([TEMP, "new.viewer@example.com"]))):
        db.session.delete(leftover)
    db.session.commit()


def logged_in(app, email, password=PASSWORD):
    client = app.test_client()
    assert login(client, email, password).status_code == 302
    return client


def account(email):
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.email == email)).one()


ARGON2 = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


def test_the_production_configuration_hashes_with_argon2id_m65536_t3_p4(tmp_path, monkeypatch):
    """The tests' own accounts hash cheaply (tests/conftest.py: FAST_PASSWORD_HASHING); an
    application built as production builds it, with nothing overridden, hashes an account's
    password with argon2id, 64 MiB, 3 passes, 4 lanes: above OWASP's minimum (19 MiB, t=2)."""
    from flask_security import verify_and_update_password

    from account.users import create_user
    from app import create_app

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-hashing-test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'accounts.db'}")
    monkeypatch.delenv("SECURITY_PASSWORD_SALT", raising=False)
    production = create_app()
    assert not production.testing
    with production.app_context():
        db.create_all()
        try:
            user = create_user(TEMP, PASSWORD, "editor")
            stored = user.password
            match = ARGON2.match(stored)
            assert match, stored[:30]
            memory, time, parallel = map(int, match.groups())
            assert (memory, time, parallel) == (65536, 3, 4)
            assert memory >= 19456 and time >= 2 and parallel >= 1
            assert PASSWORD not in stored
            assert verify_and_update_password(PASSWORD, user)
            assert not verify_and_update_password("not the password 42", user)
            assert user.password == stored  # not rehashed: the hash already has the wanted parameters
        finally:
            db.session.remove()
            db.engine.dispose()


def test_accounts_are_stored_as_argon2id_hashes(temp_account):
    stored = account(TEMP).password
    assert ARGON2.match(stored), stored[:30]
    assert PASSWORD not in stored


def test_admin_creates_an_account_that_can_log_in(app, admin_client, temp_account):
    response = admin_client.post(
        "/admin/users/new/",
        data={
            "email": "New.Viewer@example.com",
            "role": "viewer",
            "active": "y",
            "new_password": "a long enough password",
            "csrf_token": admin_client.csrf,
        },
    )
    assert response.status_code == 302
    created = account("new.viewer@example.com")
    assert created.role_name == "viewer"
    viewer = logged_in(app, "new.viewer@example.com", "a long enough password")
    assert viewer.get("/admin/cookie/").status_code == 200
    assert viewer.get("/admin/cookie/new/").status_code in (302, 403)


@pytest.mark.parametrize(
    "password, french, english",
    [
        ("short", "au moins 12 caractères", "at least 12 characters"),
        ("new.viewer@example.com", "ne doit pas être votre adresse e-mail", "must not be your e-mail address"),
    ],
)
def test_the_password_policy_speaks_both_languages(admin_client, temp_account, password, french, english):
    data = {
        "email": "new.viewer@example.com",
        "role": "viewer",
        "active": "y",
        "new_password": password,
        "csrf_token": admin_client.csrf,
    }
    refused = admin_client.post("/admin/users/new/", data=data)
    assert french in visible_text(refused)
    admin_client.post("/language", data={"lang": "en", "next": "/admin/", "csrf_token": admin_client.csrf})
    refused = admin_client.post("/admin/users/new/", data=data)
    assert english in visible_text(refused).lower()
    assert db.session.scalars(select(User).where(User.email == "new.viewer@example.com")).first() is None


def test_only_admins_see_accounts(editor_client, viewer_client, admin_client):
    assert admin_client.get("/admin/users/").status_code == 200
    assert editor_client.get("/admin/users/").status_code == 403
    assert viewer_client.get("/admin/users/").status_code == 403
    assert "/admin/users/" not in editor_client.get("/admin/").get_data(as_text=True)


def edit_account(admin_client, user, **changes):
    data = {
        "email": user.email,
        "role": user.role_name,
        "active": "y" if user.active else "",
        "csrf_token": admin_client.csrf,
    }
    data.update(changes)
    return admin_client.post(f"/admin/users/edit/?id={user.id}", data={k: v for k, v in data.items() if v != ""})


def test_deactivation_ends_open_sessions_at_once(app, admin_client, temp_account):
    session = logged_in(app, TEMP)
    assert session.get("/admin/cookie/").status_code == 200
    assert edit_account(admin_client, account(TEMP), active="").status_code == 302
    assert session.get("/admin/cookie/").status_code == 302  # back to the login page
    assert login(app.test_client(), TEMP).status_code == 200  # and cannot log in again


def test_a_new_password_set_by_an_admin_ends_open_sessions(app, admin_client, temp_account):
    session = logged_in(app, TEMP)
    assert edit_account(admin_client, account(TEMP), new_password="another long password").status_code == 302
    assert session.get("/admin/cookie/").status_code == 302
    assert logged_in(app, TEMP, "another long password").get("/admin/cookie/").status_code == 200


def test_changing_my_password_ends_my_other_sessions(app, temp_account):
    phone, laptop = logged_in(app, TEMP), logged_in(app, TEMP)
    page = laptop.get("/account/change")
    assert "Au moins 12 caractères" in visible_text(page)
    response = laptop.post(
        "/account/change",
        data={
            "password": PASSWORD,
            "new_password": "my brand new passphrase",
            "new_password_confirm": "my brand new passphrase",
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    assert laptop.get("/admin/cookie/").status_code == 200  # the session that changed it stays
    assert phone.get("/admin/cookie/").status_code == 302


def test_an_admin_cannot_lock_themselves_out(admin_client):
    me = account("admin@example.com")
    refused = edit_account(admin_client, me, active="", role="editor")
    assert refused.status_code == 200
    assert "votre propre rôle" in visible_text(refused)
    assert account("admin@example.com").active and account("admin@example.com").role_name == "admin"


def setup_totp(client):
    """Turn on TOTP for the logged-in client; returns the secret."""
    page = client.get("/account/tf-setup")
    token = csrf_token_from(page.get_data(as_text=True))
    setup = client.post("/account/tf-setup", data={"setup": "authenticator", "csrf_token": token})
    html = setup.get_data(as_text=True)
    secret = re.search(r"\b([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3,})\b", html).group(1).replace("-", "")
    action = re.search(r'<form action="([^"]+)" method="post" name="two_factor_verify_code_form"', html).group(1)
    code = TOTP(key=secret, format="base32").generate().token
    done = client.post(action, data={"code": code, "csrf_token": csrf_token_from(html)})
    assert done.status_code == 302, visible_text(done)[:300]
    return secret


def test_totp_two_factor_login(app, temp_account):
    client = logged_in(app, TEMP)
    secret = setup_totp(client)
    assert account(TEMP).tf_primary_method == "authenticator"

    fresh = app.test_client()
    first_step = login(fresh, TEMP)
    assert "/account/tf-validate" in first_step.headers["Location"] or "tf-validate" in first_step.get_data(
        as_text=True
    )
    assert fresh.get("/admin/cookie/").status_code == 302  # not logged in yet
    page = fresh.get("/account/tf-validate")
    token = csrf_token_from(page.get_data(as_text=True))
    wrong = fresh.post("/account/tf-validate", data={"code": "000000", "csrf_token": token})
    assert fresh.get("/admin/cookie/").status_code == 302
    code = TOTP(key=secret, format="base32").generate().token
    fresh.post("/account/tf-validate", data={"code": code, "csrf_token": token})
    assert fresh.get("/admin/cookie/").status_code == 200
    assert wrong.status_code == 200


def test_two_factor_can_be_required_for_administrators(app, admin_client, editor_client):
    app.config["REQUIRE_ADMIN_2FA"] = True
    try:
        response = admin_client.get("/admin/cookie/")
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/tf-setup")
        assert editor_client.get("/admin/cookie/").status_code == 200
    finally:
        app.config["REQUIRE_ADMIN_2FA"] = False
