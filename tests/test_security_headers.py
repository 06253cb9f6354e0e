"""Security headers on every response (the charte, login, every back-office page, errors,
static files), cookies that scripts cannot read and that only travel over HTTPS in
production, and error pages that never show what went wrong inside, in French and English."""

import re

import pytest
from werkzeug.http import parse_dict_header

from admin.views import ProviderView
from app import create_app
from models import db
from tests.backoffice_requests import BackOffice, admin_rules
from tests.conftest import PASSWORD, IsolatedClient, csrf_token_from, login
from tests.helpers import flashes, html_of, use_english, visible_text

SECRET = "secret-detail: SELECT password FROM user"
STRICT_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def directives(policy):
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def check_headers(response, path):
    """The headers every response carries; returns the CSP nonce."""
    headers = response.headers
    policy = directives(headers.get("Content-Security-Policy", ""))
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts, f"{path}: no script-src in the Content-Security-Policy"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, f"{path}: {scripts}"
    assert "*" not in scripts and "data:" not in scripts, f"{path}: {scripts}"
    assert policy.get("frame-ancestors") == ["'none'"], path
    assert policy.get("object-src") == ["'none'"], path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Referrer-Policy") in STRICT_REFERRERS, path
    nonces = [word[len("'nonce-") : -1] for word in scripts if word.startswith("'nonce-")]
    assert len(nonces) == 1, f"{path}: {scripts}"
    if response.mimetype == "text/html":
        # Every script of the page runs under this response's nonce; no inline handler remains.
        html = html_of(response)
        for tag in re.findall(r"<script\b[^>]*>", html, re.I):
            # The policy's own filter is a same-origin file ('self'); every other script has the nonce.
            assert f'nonce="{nonces[0]}"' in tag or tag == '<script src="/static/charte.js" defer>', f"{path}: {tag}"
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.I), f"{path}: inline event handler"
    return nonces[0]


def assert_private(response, path):
    assert "no-store" in response.headers.get("Cache-Control", ""), f"{path}: {response.headers.get('Cache-Control')}"


PUBLIC_PAGES = ["/", "/cookies", "/fr/cookies", "/en/cookies", "/account/login", "/nowhere", "/fr/nowhere"]
STATIC_FILES = ["/static/site.css", "/static/admin-csp.js", "/admin/static/admin/js/actions.js"]


def test_public_pages_errors_and_static_files_carry_the_headers(client):
    seen = set()
    for path in PUBLIC_PAGES + STATIC_FILES + ["/admin/", "/admin/cookie/"]:
        response = client.get(path, buffered=True)
        seen.add(check_headers(response, path))
        assert "Strict-Transport-Security" not in response.headers, f"{path}: HSTS in development"
        if path.startswith(("/admin/", "/account/")) and not path.startswith("/admin/static/"):
            assert_private(response, path)
    assert len(seen) == len(PUBLIC_PAGES + STATIC_FILES) + 2, "the nonce must change with every response"
    assert client.get("/account/logout").status_code == 405
    assert client.post("/admin/provider/new/", data={"name": "x"}).status_code == 400
    for response in (client.get("/account/logout"), client.post("/admin/provider/new/", data={"name": "x"})):
        check_headers(response, response.request.path)


def test_every_back_office_page_carries_the_headers_and_is_never_cached(app, admin_client, viewer_client):
    back_office = BackOffice(app, reader=admin_client)
    walked = 0
    for endpoint, method in admin_rules(app):
        if method != "GET":
            continue
        call = back_office.call(endpoint, method)
        response = call.send(admin_client)
        assert response.status_code < 500, call
        check_headers(response, str(call))
        if endpoint != "admin.static":
            assert_private(response, str(call))
        walked += 1
    assert walked >= 40
    refused = viewer_client.get("/admin/cookie/new/")
    forbidden = viewer_client.post("/admin/history/restore/1", data={"csrf_token": viewer_client.csrf})
    assert forbidden.status_code == 403
    for response in (refused, forbidden, admin_client.get("/account/change")):
        check_headers(response, response.request.path)
        assert_private(response, response.request.path)


def cookie_flags(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    return None


def test_session_cookie_is_httponly_and_samesite_lax_in_development(app):
    client = app.test_client()
    response = login(client, "viewer@example.com")
    flags = cookie_flags(response, app.config.get("SESSION_COOKIE_NAME", "session"))
    assert flags is not None, response.headers.getlist("Set-Cookie")
    assert "httponly" in flags and flags["samesite"].lower() == "samesite=lax"
    assert "secure" not in flags  # plain http on a developer's machine
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture(scope="module")
def production_app(database_url, _app):
    """The app as APP_ENV=production builds it, on the test database, with a route that fails."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APP_ENV", "production")
        patch.setenv("SECRET_KEY", "production-test-secret")
        production = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECURITY_PASSWORD_SALT": "test-salt"})
    production.test_client_class = IsolatedClient
    assert not production.testing

    @production.get("/__failing")
    def failing():
        raise RuntimeError(SECRET)

    yield production
    with production.app_context():
        db.engine.dispose()


def https_client(production):
    client = production.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/account/login"})
    return client


def test_production_adds_hsts_and_secure_cookies(app, production_app):
    client = https_client(production_app)
    page = client.get("/account/login", base_url="https://localhost")
    check_headers(page, "/account/login")
    hsts = parse_dict_header(page.headers["Strict-Transport-Security"].replace(";", ","))
    assert int(hsts["max-age"]) >= 31536000
    token = csrf_token_from(html_of(page))
    response = client.post(
        "/account/login",
        base_url="https://localhost",
        data={"email": "viewer@example.com", "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    assert response.status_code == 302, visible_text(response)[:300]
    for name in ("session", "remember_token"):
        flags = cookie_flags(response, name)
        assert flags is not None, f"{name}: {response.headers.getlist('Set-Cookie')}"
        assert "secure" in flags and "httponly" in flags and flags["samesite"].lower() == "samesite=lax", name
    for path in ("/fr/cookies", "/nowhere", "/static/site.css"):
        assert "Strict-Transport-Security" in client.get(path, base_url="https://localhost", buffered=True).headers, (
            path
        )


@pytest.mark.parametrize(
    "lang, title, advice",
    [
        ("fr", "Une erreur est survenue", "L’erreur a été enregistrée"),
        ("en", "Something went wrong", "The error has been recorded"),
    ],
)
def test_a_server_error_shows_a_friendly_page_without_the_exception(app, production_app, lang, title, advice):
    response = production_app.test_client().get("/__failing", headers={"Accept-Language": lang})
    assert response.status_code == 500
    check_headers(response, "/__failing")
    text = visible_text(response)
    assert title in text and advice in text
    for leak in ("secret-detail", "SELECT", "RuntimeError", "Traceback", "failing"):
        assert leak not in html_of(response), leak


@pytest.mark.parametrize(
    "lang, words",
    [
        ("fr", {404: "Page introuvable", 405: "Cette action n’est pas permise ici", 400: "Rien n’a été modifié"}),
        ("en", {404: "Page not found", 405: "This action is not allowed here", 400: "nothing was changed"}),
    ],
)
def test_client_errors_are_explained_in_the_visitors_language(client, lang, words):
    headers = {"Accept-Language": lang}
    for code, response in (
        (404, client.get("/admin/../nowhere/<script>", headers=headers)),
        (405, client.get("/account/logout", headers=headers)),
        (400, client.post("/admin/provider/new/", data={"name": "x"}, headers=headers)),
    ):
        assert response.status_code == code
        text = visible_text(response)
        assert words[code].lower() in text.lower(), f"{code}: {text[:200]}"
        assert "Traceback" not in text and "<script>" not in html_of(response)


def test_a_failed_save_flashes_advice_not_the_exception(app, editor_client, monkeypatch):
    def broken(self, form, model, is_created):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(ProviderView, "on_model_change", broken)
    for lang, advice in (("fr", "Rien n’a été modifié"), ("en", "Nothing was changed")):
        if lang == "en":
            use_english(editor_client)
        response = editor_client.post("/admin/provider/new/", data={"name": "Broken", "csrf_token": editor_client.csrf})
        messages = " ".join(text for _, text in flashes(response))
        assert advice in messages, messages
        assert "secret-detail" not in html_of(response) and "RuntimeError" not in html_of(response)
