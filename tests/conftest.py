"""Fixtures: one app per database backend, a clean seeded inventory per test,
and logged-in clients per role.

Every test that uses ``app`` runs on SQLite and again on PostgreSQL. PostgreSQL
comes from TEST_DATABASE_URL, else the local server on 127.0.0.1:5432; under
CI=true a missing PostgreSQL is an error, never a skip.
"""
import os
import re

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from models import db

CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/cookie_charte_test"
PASSWORD = "a long test password 42"
ROLES = ("admin", "editor", "viewer")


def _postgres_url():
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    target = make_url(url)
    try:
        admin_engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin_engine.dispose()
    except OperationalError as error:
        if CI or os.environ.get("TEST_DATABASE_URL"):
            raise RuntimeError(f"PostgreSQL is required for the tests but unreachable at {url}: {error}") from error
        return None
    return url


POSTGRES_URL = _postgres_url()
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_configure(config):
    config.addinivalue_line("markers", "only_on(backend): run the test on that database only ('sqlite' or 'postgresql')")


def pytest_collection_modifyitems(config, items):
    """A test marked only_on(backend) is not collected for the other database."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec else None
        wanted = marker.args[0] if marker else None
        other_database = wanted is not None and backend is not None and backend != wanted
        (dropped if other_database or (wanted is not None and wanted not in BACKENDS) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header(config):
    if POSTGRES_URL:
        return f"databases: sqlite, postgresql ({make_url(POSTGRES_URL).render_as_string(hide_password=True)})"
    return "databases: sqlite only (no PostgreSQL on 127.0.0.1:5432 and TEST_DATABASE_URL unset)"


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as in production.

    The tests keep an application context open (for ``db.session``); Flask would
    otherwise reuse it for the client's requests, sharing ``g`` (the logged-in
    user, the locale) and the database session between requests. The test's own
    session is committed before a request and expired after it, so each side sees
    the other's writes."""

    def open(self, *args, **kwargs):
        db.session.commit()
        # Buffered: a streamed response (exports) finishes, and leaves its contexts, in here.
        kwargs.setdefault("buffered", True)
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "SECURITY_PASSWORD_SALT": "test-salt",
            "CHARTE_SIGNAL_FILE": str(tmp_path_factory.mktemp("signal") / "charte.signal"),
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        from cli import create_user

        for role in ROLES:
            create_user(f"{role}@example.com", PASSWORD, role)
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


INVENTORY_TABLES = ("login_attempt", "record_change", "change_set", "cookie_purpose", "cookie", "purpose", "provider", "category", "site_settings", "inventory_state")


def reset_inventory():
    """Empty the inventory tables (users are kept) and reload the seed."""
    from inventory.seed import load_seed

    for name in INVENTORY_TABLES:
        db.session.execute(delete(db.metadata.tables[name]))
    db.session.commit()
    load_seed()
    db.session.remove()


@pytest.fixture
def app(_app):
    with _app.app_context():
        reset_inventory()
    with _app.app_context():
        yield _app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_from(html):
    match = _TOKEN.search(html)
    assert match, "no CSRF token in page"
    return match.group(1) or match.group(2)


def login(client, email, password=PASSWORD):
    """Log in through the real login form (CSRF included); the token is kept on ``client.csrf``."""
    page = client.get("/account/login")
    client.csrf = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/account/login", data={"email": email, "password": password, "csrf_token": client.csrf}
    )
    return response


def _logged_in(app, role):
    client = app.test_client()
    response = login(client, f"{role}@example.com")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def admin_client(app):
    return _logged_in(app, "admin")


@pytest.fixture
def editor_client(app):
    return _logged_in(app, "editor")


@pytest.fixture
def viewer_client(app):
    return _logged_in(app, "viewer")
