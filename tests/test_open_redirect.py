"""No redirect leads off the site: the ``next`` of login, logout and the language switch, and
Flask-Admin's ``url`` return address, stay on the site whatever a link sends in them
(protocol-relative, backslashes that browsers read as slashes, ``javascript:``, encoded
slashes, absolute addresses). A Location counts as on the site when a browser, resolving it
against the page, stays on localhost."""

import html as html_lib
import re
from urllib.parse import urljoin, urlsplit

from sqlalchemy import delete, select

from models import Cookie, LoginAttempt, Provider
from tests.conftest import PASSWORD, csrf_token_from
from tests.helpers import fresh, html_of, make_cookie

TARGETS = [
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "///evil.example",
    " //evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "https://evil.example",
    "https:evil.example",
    "http://localhost.evil.example/",
    "//localhost@evil.example",
    "%2F%2Fevil.example",
    "data:text/html,<script>alert(1)</script>",
]
SITE = "http://localhost/account/login"


def where_a_browser_goes(location):
    """Resolve a Location header as browsers do: backslashes are slashes, tabs and
    newlines vanish, leading spaces and control characters are trimmed."""
    cleaned = re.sub(r"^[\x00-\x20]+|[\x00-\x20]+$", "", re.sub(r"[\t\n\r]", "", location)).replace("\\", "/")
    return urlsplit(urljoin(SITE, cleaned))


def assert_on_site(response, what):
    assert response.status_code in (301, 302, 303), f"{what}: {response.status_code}"
    location = response.headers["Location"]
    target = where_a_browser_goes(location)
    assert target.scheme in ("http", "https") and target.hostname == "localhost", f"{what} → {location!r}"


def test_login_next_stays_on_the_site(app):
    for target in TARGETS:
        # In the query string, encoded (and raw when it holds %-escapes, which then arrive
        # decoded), and in the form.
        variants = [({"next": target}, {}), (None, {"next": target})]
        if "%" in target:
            variants.append((f"next={target}", {}))
        for query, form in variants:
            # A refused form counts as a failed login: forget them, or the throttle steps in.
            fresh().execute(delete(LoginAttempt))
            client = app.test_client()
            token = csrf_token_from(html_of(client.get("/account/login", query_string=query)))
            response = client.post(
                "/account/login",
                query_string=query,
                data={"email": "viewer@example.com", "password": PASSWORD, "csrf_token": token, **form},
            )
            if response.status_code == 200:
                # Flask-Security refused the form over its ``next``: nobody is logged in.
                assert client.get("/admin/").status_code == 302, f"next={target!r}: refused, yet logged in"
            else:
                assert_on_site(response, f"login next={target!r} ({query or form})")


def test_login_next_stays_on_the_site_once_logged_in(app, viewer_client):
    """A logged-in user sent to the login page (GET, or the form in the page) is sent on at once."""
    client = viewer_client
    for target in TARGETS:
        assert_on_site(client.get("/account/login", query_string={"next": target}), f"login page next={target!r}")
        response = client.post("/account/login", data={"next": target, "csrf_token": client.csrf})
        assert_on_site(response, f"login form next={target!r}")


def test_logout_next_stays_on_the_site(app):
    client = app.test_client()
    token = csrf_token_from(html_of(client.get("/account/login")))
    for target in TARGETS:
        for query in (f"next={target}", {"next": target}):
            assert_on_site(
                client.post("/account/logout", query_string=query, data={"csrf_token": token}),
                f"logout ?next={target!r}",
            )
        response = client.post("/account/logout", data={"next": target, "csrf_token": token})
        assert_on_site(response, f"logout form next={target!r}")


def test_language_switch_next_stays_on_the_site(editor_client):
    for target in TARGETS:
        response = editor_client.post(
            "/language", data={"lang": "fr", "next": target, "csrf_token": editor_client.csrf}
        )
        assert_on_site(response, f"language next={target!r}")
        assert response.headers["Location"] == "/admin/", target


def test_the_language_switch_still_returns_to_the_page(editor_client):
    response = editor_client.post(
        "/language", data={"lang": "en", "next": "/admin/cookie/?search=csrf", "csrf_token": editor_client.csrf}
    )
    assert response.headers["Location"] == "/admin/cookie/?search=csrf"


def first_id(model):
    return fresh().scalar(select(model.id).order_by(model.id).limit(1))


def test_flask_admin_return_address_stays_on_the_site(app, editor_client):
    client, token = editor_client, editor_client.csrf
    provider = first_id(Provider)
    for target in TARGETS:
        back = {"url": target}

        # Links back to the list on the record pages.
        for page, query in (
            ("/admin/provider/edit/", {"id": provider}),
            ("/admin/provider/details/", {"id": provider}),
            ("/admin/provider/new/", {}),
        ):
            html = html_of(client.get(page, query_string={**query, **back}))
            links = re.findall(r'\b(?:href|action|formaction)="([^"]*)"', html)
            bad = [
                link
                for link in links
                if link.lower().startswith(("javascript:alert", "data:"))
                or ("evil" in link and where_a_browser_goes(html_lib.unescape(link)).hostname != "localhost")
            ]
            assert bad == [], f"{page} url={target!r}: {bad}"

        # After a create, an edit, a delete, a bulk action, a refused export or a refused form.
        created = client.post(
            "/admin/provider/new/", query_string=back, data={"name": "Redirected", "csrf_token": token}
        )
        assert_on_site(created, f"create url={target!r}")
        created_id = fresh().scalar(select(Provider.id).where(Provider.name == "Redirected"))
        edited = client.post(
            "/admin/provider/edit/",
            query_string={"id": created_id, **back},
            data={"name": "Redirected again", "csrf_token": token},
        )
        assert_on_site(edited, f"edit url={target!r}")
        deleted = client.post("/admin/provider/delete/", data={"id": created_id, "url": target, "csrf_token": token})
        assert_on_site(deleted, f"delete url={target!r}")
        assert fresh().get(Provider, created_id) is None
        cookie = make_cookie(name="redirected_cookie").id
        acted = client.post(
            "/admin/cookie/action/", data={"action": "delete", "rowid": cookie, "url": target, "csrf_token": token}
        )
        assert_on_site(acted, f"action url={target!r}")
        assert fresh().get(Cookie, cookie) is None
        assert_on_site(client.get("/admin/provider/export/csv/", query_string=back), f"export url={target!r}")
        assert_on_site(client.get("/admin/settings/new/", query_string=back), f"refused create form url={target!r}")
