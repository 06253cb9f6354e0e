"""Every back-office rule of ``app.url_map``, walked as an anonymous visitor, a viewer, an
editor and an administrator, with the method it answers and a valid CSRF token: each role
gets exactly what the tables below allow. A rule that the tables do not describe fails the
walk, so that no page can be added to the back office without saying who may use it."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from admin import back_office_view
from models import Provider
from tests.backoffice_requests import (
    MODEL_VIEWS,
    BackOffice,
    Unclassified,
    admin_rules,
    changed_tables,
    database_state,
)
from tests.conftest import csrf_token_from, login
from tests.helpers import count, flashes, fresh, html_of, visible_text

ROLES = ("anonymous", "viewer", "editor", "publisher", "admin")

# What a role gets:
LOGIN = "sent to the login page"  # 302 to /account/login, nothing changed
OK = "served"  # 200, nothing changed
DONE = "changed"  # the change asked for is in the database
DENIED = "refused"  # 403, or a redirect elsewhere than the login page; nothing changed
ABSENT = "not found"  # 404 (nothing to look up or edit inline there); nothing changed

#              anonymous  viewer  editor  publisher  admin
READ = (LOGIN, OK, OK, OK, OK)
FORM = (LOGIN, DENIED, OK, OK, OK)  # a form that only editors may submit
WRITE = (LOGIN, DENIED, DONE, DONE, DONE)
DRY_RUN = (LOGIN, DENIED, OK, OK, OK)  # an import preview: editors only, and it writes nothing
NOBODY = (LOGIN, DENIED, DENIED, DENIED, DENIED)  # not offered to anyone (settings are never deleted…)
NO_LOOKUP = (LOGIN, ABSENT, ABSENT, ABSENT, ABSENT)  # no ajax-loaded field in these forms
NO_INLINE = (LOGIN, DENIED, ABSENT, ABSENT, ABSENT)  # no inline-editable column; viewers refused first
ADMIN_READ = (LOGIN, DENIED, DENIED, DENIED, OK)
ADMIN_WRITE = (LOGIN, DENIED, DENIED, DENIED, DONE)
ADMIN_ABSENT = (LOGIN, DENIED, DENIED, DENIED, ABSENT)
PUBLISH = (LOGIN, DENIED, DENIED, DONE, DONE)  # publishers and administrators publish the draft
PUBLIC = (OK, OK, OK, OK, OK)

# The back office's own pages.
PAGES = {
    ("admin.index", "GET"): READ,
    ("admin.static", "GET"): PUBLIC,  # Flask-Admin's JavaScript and CSS
    ("history.index", "GET"): READ,
    ("history.record", "GET"): READ,
    ("history.restore", "POST"): WRITE,
    ("export.index", "GET"): READ,
    ("export.download", "GET"): READ,
    ("import.index", "GET"): FORM,
    ("import.preview", "POST"): DRY_RUN,
    ("import.confirm", "POST"): WRITE,
    ("publication.index", "GET"): READ,
    ("compliance.index", "GET"): READ,
    ("scans.index", "GET"): READ,
    ("scans.detail", "GET"): READ,
    ("scans.start", "POST"): WRITE,
    ("scans.add_preview", "POST"): DRY_RUN,
    ("scans.add_confirm", "POST"): WRITE,
    ("scans.mark_reviewed", "POST"): WRITE,
    ("publication.preview", "GET"): READ,
    ("publication.record", "GET"): READ,
    ("publication.manager_configuration", "GET"): READ,
    ("publication.review", "POST"): WRITE,  # "ready for review"
    ("publication.publish", "POST"): PUBLISH,
}

# Flask-Admin's model views: one row per page, one column per view. Accounts are for
# administrators only; the site settings are one row that nobody creates a second of or
# deletes; only the cookie list has an export menu (the full exports are under /admin/export).
MODEL_COLUMNS = ("cookie", "provider", "purpose", "category", "settings", "users")
MODEL_PAGES = {
    #                             cookie     provider   purpose    category   settings   users
    ("index_view", "GET"):       (READ,      READ,      READ,      READ,      READ,      ADMIN_READ),
    ("details_view", "GET"):     (READ,      READ,      READ,      READ,      READ,      ADMIN_READ),
    ("create_view", "GET"):      (FORM,      FORM,      FORM,      FORM,      NOBODY,    ADMIN_READ),
    ("create_view", "POST"):     (WRITE,     WRITE,     WRITE,     WRITE,     NOBODY,    ADMIN_WRITE),
    ("edit_view", "GET"):        (FORM,      FORM,      FORM,      FORM,      FORM,      ADMIN_READ),
    ("edit_view", "POST"):       (WRITE,     WRITE,     WRITE,     WRITE,     WRITE,     ADMIN_WRITE),
    ("delete_view", "POST"):     (WRITE,     WRITE,     WRITE,     WRITE,     NOBODY,    NOBODY),
    ("action_view", "POST"):     (WRITE,     WRITE,     WRITE,     WRITE,     NOBODY,    NOBODY),
    ("ajax_lookup", "GET"):      (NO_LOOKUP, NO_LOOKUP, NO_LOOKUP, NO_LOOKUP, NO_LOOKUP, ADMIN_ABSENT),
    ("ajax_update", "POST"):     (NO_INLINE, NO_INLINE, NO_INLINE, NO_INLINE, NO_INLINE, ADMIN_ABSENT),
    ("export", "GET"):           (READ,      NOBODY,    NOBODY,    NOBODY,    NOBODY,    NOBODY),
}  # fmt: skip

# Views that another part of the project may not have registered yet.
OPTIONAL_VIEWS = {"users"}


def expectations():
    table = dict(PAGES)
    for (page, method), cells in MODEL_PAGES.items():
        for view, cell in zip(MODEL_COLUMNS, cells):
            table[f"{view}.{page}", method] = cell
    return table


EXPECTED = expectations()


def expected(endpoint, method, role):
    """What ``role`` gets from this rule (used by the CSRF test too)."""
    return EXPECTED[endpoint, method][ROLES.index(role)]


def test_every_back_office_rule_is_in_the_tables(app):
    rules = admin_rules(app)
    unknown = [f"{endpoint} {method}" for endpoint, method in rules if (endpoint, method) not in EXPECTED]
    assert unknown == [], (
        "New back-office rules: say who may use them in tests/test_access_walk.py "
        f"and how to call them in tests/backoffice_requests.py: {unknown}"
    )
    stale = [
        f"{endpoint} {method}"
        for endpoint, method in EXPECTED
        if (endpoint, method) not in rules and endpoint.partition(".")[0] not in OPTIONAL_VIEWS
    ]
    assert stale == [], f"Rules in the tables that the application no longer has: {stale}"
    assert set(MODEL_COLUMNS) == set(MODEL_VIEWS)


def test_a_rule_nobody_described_fails_the_walk(app):
    """The walk refuses to guess: an unknown page is an error, not a skip."""
    with pytest.raises(Unclassified):
        BackOffice(app, reader=None).call("reports.index_view_of_the_future", "GET")
    with pytest.raises(KeyError):
        expected("reports.index", "GET", "viewer")


def client_for(app, role):
    client = app.test_client()
    if role == "anonymous":
        client.csrf = csrf_token_from(html_of(client.get("/account/login")))
        return client
    response = login(client, f"{role}@example.com")
    assert response.status_code == 302, f"{role} could not log in"
    return client


def observed(response, call):
    """What the role got, in the terms of the tables."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and urlsplit(location).path == "/account/login":
        return LOGIN
    if status == 404:
        return ABSENT
    if status == 403:
        return DENIED
    if call.changed():
        return DONE
    if status in (301, 302, 303):
        # Flask-Admin answers a change the role may not make with a redirect to the list.
        return DENIED
    if status == 200:
        return OK
    return f"HTTP {status}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_is_allowed(app, role, restore_accounts):
    reader = client_for(app, "admin")
    client = reader if role == "admin" else client_for(app, role)
    back_office = BackOffice(app, reader)
    mistakes = []
    walked = 0
    try:
        for endpoint, method in admin_rules(app):
            call = back_office.call(endpoint, method)
            want = expected(endpoint, method, role)
            # Every table before and after: a refused (or read-only) request changes nothing.
            watch = method != "GET" or want not in (OK, DONE)
            before = database_state() if watch else None
            response = call.send(client, token=client.csrf)
            got = observed(response, call)
            walked += 1
            if got != want:
                detail = response.headers.get("Location") or flashes(response) or visible_text(response)[:120]
                mistakes.append(f"{call}: {got} ({response.status_code}), expected {want}. {detail}")
                continue
            if watch and want != DONE:
                changed = changed_tables(before, database_state())
                if changed:
                    mistakes.append(f"{call}: {got}, but it changed {changed}")
            if want == LOGIN and method == "GET":
                assert urlsplit(response.headers["Location"]).query.startswith("next="), call
    finally:
        back_office.cleanup()
    assert mistakes == [], f"{role}:\n" + "\n".join(mistakes)
    assert walked >= 70


@pytest.fixture
def inline_editable_providers(app):
    """The provider list with its name editable in place, as a later change might make it."""
    view = back_office_view(app, "provider")
    saved = view.column_editable_list
    view.set_editable_columns(("name",))
    yield view
    view.set_editable_columns(saved)


def test_inline_editing_follows_the_role_once_a_view_offers_it(
    app, inline_editable_providers, viewer_client, editor_client
):
    ident = fresh().scalar(select(Provider.id).limit(1))
    before = database_state()
    refused = viewer_client.post(
        "/admin/provider/ajax/update/",
        data={"list_form_pk": ident, "name": "Renamed by a viewer", "csrf_token": viewer_client.csrf},
    )
    assert refused.status_code == 403
    assert changed_tables(before, database_state()) == []
    allowed = editor_client.post(
        "/admin/provider/ajax/update/",
        data={"list_form_pk": ident, "name": "Renamed in place", "csrf_token": editor_client.csrf},
    )
    assert allowed.status_code == 200, allowed.get_data(as_text=True)
    assert count(Provider, Provider.name == "Renamed in place") == 1
