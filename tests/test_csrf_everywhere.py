"""Every state-changing request of the application, found in ``app.url_map``, changes nothing
without the session's CSRF token or with another session's token: every table (the change
history included) is compared before and after. The same request with the right token does
change what it asks for, so the refusal is the token's doing. tests/test_csrf.py tests a
few forms in depth; this module makes sure no POST route is left out, now or later."""

import re

import pytest
from passlib.totp import TOTP
from sqlalchemy import select

from models import User
from tests import test_csrf
from tests.backoffice_requests import BackOffice, changed_tables, database_state, rules_under
from tests.conftest import PASSWORD, csrf_token_from, login
from tests.helpers import fresh, html_of
from tests.test_access_walk import DONE, expected

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
TEMP = "csrf.everywhere@example.com"

# Account routes (Flask-Security and the language switch), and the test that forges each.
ACCOUNT_ROUTES = {
    "account.set_language": "test_csrf.test_language_switch_without_token_keeps_the_language",
    "security.logout": "test_csrf.test_logout_without_token_keeps_the_session",
    "security.login": "test_a_login_without_a_token_logs_nobody_in",
    "security.change_password": "test_a_password_change_needs_the_token",
    "security.verify": "test_reauthentication_needs_the_token",
    "security.two_factor_setup": "test_two_factor_steps_need_the_token",
    "security.two_factor_setup_validate": "test_two_factor_steps_need_the_token",
    "security.two_factor_token_validation": "test_two_factor_steps_need_the_token",
    "security.two_factor_rescue": "test_two_factor_steps_need_the_token",
    "security.tf_select": "test_two_factor_steps_need_the_token",
}


def state_changing_rules(app):
    return [(endpoint, method) for endpoint, method in rules_under(app, "/") if method in STATE_CHANGING]


def test_every_state_changing_route_is_forged_somewhere(app):
    admin_views = _admin_views(app)
    uncovered = []
    for endpoint, method in state_changing_rules(app):
        if endpoint.partition(".")[0] in admin_views:
            try:
                expected(endpoint, method, "admin")
            except KeyError:
                uncovered.append(f"{endpoint} {method}")
        elif endpoint in ACCOUNT_ROUTES:
            module, _, name = ACCOUNT_ROUTES[endpoint].rpartition(".")
            test = getattr(test_csrf, name, None) if module == "test_csrf" else globals().get(name)
            assert callable(test), f"{endpoint}: {ACCOUNT_ROUTES[endpoint]} does not exist"
        else:
            uncovered.append(f"{endpoint} {method}")
    assert uncovered == [], f"State-changing routes that no CSRF test forges: {uncovered}"


def _admin_views(app):
    return {endpoint.partition(".")[0] for endpoint, _ in rules_under(app, "/admin/")}


@pytest.fixture
def temp_account(app):
    """A throw-away editor account (removed afterwards), logged in on its own client."""
    from account.users import create_user

    create_user(TEMP, PASSWORD, "editor")
    client = app.test_client()
    assert login(client, TEMP).status_code == 302
    yield client
    session = fresh()
    for leftover in session.scalars(select(User).where(User.email == TEMP)):
        session.delete(leftover)
    session.commit()


def foreign_token(app):
    """A valid token, but of another visitor's session."""
    return csrf_token_from(html_of(app.test_client().get("/account/login")))


def forged(app, client, send, what, counted_attempt=False):
    """Send the request without a token, then with another session's: nothing may change.
    A login step (``counted_attempt``) records one failed attempt, and nothing else."""
    for token in (None, foreign_token(app)):
        before = database_state()
        response = send(client, token)
        after = database_state()
        label = "without a token" if token is None else "with another session's token"
        changed = changed_tables(before, after)
        if counted_attempt:
            assert changed in ([], ["login_attempt"]), f"{what} {label} changed {changed}"
            added = set(after["login_attempt"]) - set(before["login_attempt"])
            assert len(added) <= 1 and all(", False" in row for row in added), added
        else:
            assert changed == [], f"{what} {label} changed {changed}"
        assert "Traceback" not in html_of(response)


def test_back_office_changes_need_the_sessions_token(app, admin_client, restore_accounts):
    """Create, edit, delete, bulk actions, inline edits, restore, import, accounts: every
    POST under /admin, sent by an administrator, who may make all of them."""
    back_office = BackOffice(app, reader=admin_client)
    admin_views = _admin_views(app)
    controls = 0
    try:
        for endpoint, method in state_changing_rules(app):
            if endpoint.partition(".")[0] not in admin_views:
                continue
            call = back_office.call(endpoint, method)
            forged(app, admin_client, call.send, str(call))
            if expected(endpoint, method, "admin") == DONE:
                # The same request with the right token goes through.
                call.send(admin_client, admin_client.csrf)
                assert call.changed(), (
                    f"{call} with the right token changed nothing: the forged requests proved nothing"
                )
                controls += 1
    finally:
        back_office.cleanup()
    assert controls >= 15


def test_a_login_without_a_token_logs_nobody_in(app):
    """The JSON login too (the form login is in tests/test_csrf.py); it is refused even with a
    valid token (only the form logs in), and every try counts as a failed attempt."""
    client = app.test_client()
    client.get("/account/login")

    def json_login(client, token):
        headers = {"X-CSRFToken": token} if token else {}
        return client.post(
            "/account/login", json={"email": "editor@example.com", "password": PASSWORD}, headers=headers
        )

    forged(app, client, json_login, "a JSON login", counted_attempt=True)
    assert client.get("/admin/").status_code == 302
    json_login(client, csrf_token_from(html_of(client.get("/account/login"))))
    assert client.get("/admin/").status_code == 302


def password_hash(email):
    return fresh().scalar(select(User.password).where(User.email == email))


def test_a_password_change_needs_the_token(app, temp_account):
    client = temp_account
    data = {
        "password": PASSWORD,
        "new_password": "an entirely new passphrase",
        "new_password_confirm": "an entirely new passphrase",
    }

    def send(client, token):
        return client.post("/account/change", data={**data, **({"csrf_token": token} if token else {})})

    old = password_hash(TEMP)
    forged(app, client, send, "a password change")
    assert password_hash(TEMP) == old
    assert send(client, client.csrf).status_code == 302
    assert password_hash(TEMP) != old


def test_reauthentication_needs_the_token(app, temp_account):
    client = temp_account

    def send(client, token):
        return client.post("/account/verify", data={"password": PASSWORD, **({"csrf_token": token} if token else {})})

    forged(app, client, send, "a reauthentication")
    assert send(client, client.csrf).status_code == 302


def totp_setup(client, token):
    return client.post("/account/tf-setup", data={"setup": "authenticator", **({"csrf_token": token} if token else {})})


def test_two_factor_steps_need_the_token(app, temp_account):
    """Choosing a method, confirming it with a code, logging in with a code, asking for
    help and choosing among methods: none of them moves without the token."""
    client = temp_account

    def method():
        return fresh().scalar(select(User.tf_primary_method).where(User.email == TEMP))

    # Choosing the authenticator app: no secret is handed out to a forged request.
    forged(app, client, totp_setup, "a two-factor setup")
    assert "two_factor_verify_code_form" not in html_of(totp_setup(client, None))
    page = html_of(totp_setup(client, client.csrf))
    secret = re.search(r"\b([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3,})\b", page).group(1).replace("-", "")
    action = re.search(r'<form action="([^"]+)" method="post" name="two_factor_verify_code_form"', page).group(1)

    # Confirming it with a good code.
    def confirm(client, token):
        code = TOTP(key=secret, format="base32").generate().token
        return client.post(action, data={"code": code, **({"csrf_token": token} if token else {})})

    forged(app, client, confirm, "a two-factor confirmation")
    assert method() is None
    assert confirm(client, client.csrf).status_code == 302
    assert method() == "authenticator"

    # Logging in: the second step with a good code.
    visitor = app.test_client()
    login(visitor, TEMP)
    visitor_token = csrf_token_from(html_of(visitor.get("/account/tf-validate")))

    def second_step(client, token):
        code = TOTP(key=secret, format="base32").generate().token
        return client.post("/account/tf-validate", data={"code": code, **({"csrf_token": token} if token else {})})

    def rescue(client, token):
        return client.post(
            "/account/tf-rescue", data={"help_setup": "help", **({"csrf_token": token} if token else {})}
        )

    def select_method(client, token):
        return client.post(
            "/account/tf-select", data={"which": "authenticator", **({"csrf_token": token} if token else {})}
        )

    for send, what in (
        (second_step, "a second login step"),
        (rescue, "a rescue request"),
        (select_method, "a method choice"),
    ):
        forged(app, visitor, send, what, counted_attempt=send is second_step)
        assert visitor.get("/admin/").status_code == 302, what
    second_step(visitor, visitor_token)
    assert visitor.get("/admin/").status_code == 200

    # Turning it off again.
    def disable(client, token):
        return client.post("/account/tf-setup", data={"setup": "disable", **({"csrf_token": token} if token else {})})

    forged(app, client, disable, "turning two-factor authentication off")
    assert method() == "authenticator"
    disable(client, client.csrf)
    assert method() is None
