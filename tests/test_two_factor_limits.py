"""Two-factor codes cannot be guessed: failures are limited per account and address, then the
password step is asked again; every failure is logged; a code is valid for at most a minute."""

import logging
import time

import pytest
from passlib.totp import TOTP

from models import LoginAttempt, db
from tests.conftest import csrf_token_from, login
from tests.test_accounts import TEMP, logged_in, setup_totp, temp_account  # noqa: F401  (fixture)


@pytest.fixture
def secret(app, temp_account):  # noqa: F811
    return setup_totp(logged_in(app, TEMP))


def at_second_step(app):
    client = app.test_client()
    first = login(client, TEMP)
    assert "tf-validate" in first.headers.get("Location", "")
    token = csrf_token_from(client.get("/account/tf-validate").get_data(as_text=True))
    return client, token


def send_code(client, token, code):
    return client.post("/account/tf-validate", data={"code": code, "csrf_token": token})


def code_at(secret, moment):
    return TOTP(key=secret, format="base32").generate(time=moment).token


def test_five_wrong_codes_lock_the_second_step_and_ask_for_the_password_again(app, secret, caplog):
    caplog.set_level(logging.INFO, logger="charte.auth")
    client, token = at_second_step(app)
    for _ in range(5):
        assert send_code(client, token, "000000").status_code == 200
    locked = send_code(client, token, code_at(secret, time.time()))
    assert locked.status_code == 429
    assert client.get("/admin/cookie/").status_code == 302  # the right code came too late
    # The second step is gone from the session: the password step comes first again.
    again = client.get("/account/tf-validate")
    assert again.status_code in (302, 400) or "tf-validate" not in again.headers.get("Location", "")
    assert sum("two-factor code failed" in record.message for record in caplog.records) == 5
    assert any("two-factor code locked" in record.message for record in caplog.records)
    db.session.remove()
    assert db.session.query(LoginAttempt).filter_by(step="code", success=False).count() == 5


def test_the_lock_holds_for_a_new_login_of_the_same_account(app, secret):
    client, token = at_second_step(app)
    for _ in range(5):
        send_code(client, token, "000000")
    other, other_token = at_second_step(app)
    assert send_code(other, other_token, code_at(secret, time.time())).status_code == 429


def test_a_code_from_two_minutes_ahead_is_refused(app, secret):
    client, token = at_second_step(app)
    send_code(client, token, code_at(secret, time.time() + 110))
    assert client.get("/admin/cookie/").status_code == 302
    send_code(client, token, code_at(secret, time.time()))
    assert client.get("/admin/cookie/").status_code == 200


def test_no_rescue_by_e_mail_is_offered_without_a_mail_server(app, secret):
    client, token = at_second_step(app)
    page = client.get("/account/tf-validate").get_data(as_text=True)
    assert "two_factor_rescue_form" not in page
    for option in ("help", "email"):
        response = client.post("/account/tf-rescue", data={"help_setup": option, "csrf_token": token})
        assert response.status_code == 404
