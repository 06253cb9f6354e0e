"""Fixtures: one app per database backend, a clean seeded inventory per test,
and logged-in clients per role.

Every test that uses ``app`` runs on SQLite and again on PostgreSQL. PostgreSQL
comes from TEST_DATABASE_URL, else the local server on 127.0.0.1:5432; under
CI=true a missing PostgreSQL is an error, never a skip.

Each run has its own databases, so that two runs on one host (or one server) do not
meet: SQLite in the run's temporary folder, and on PostgreSQL a database named after
the one in the URL plus the process id and a random suffix
(``cookie_charte_test_<pid>_<hex>``), created on the server at the start of the run and
dropped at its end. The instance folder (import previews) and the change-signal file are
the run's too.

A test that needs no database (a pure rule) takes no ``app``: it runs once, not per backend.
"""

import os
import re
import secrets

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from models import db

CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/cookie_charte_test"
PASSWORD = "a long test password 42"
ROLES = ("admin", "publisher", "editor", "viewer")
RUN_ID = f"{os.getpid()}_{secrets.token_hex(4)}"

# argon2id at its cheapest for the tests' accounts: a login costs about a millisecond instead
# of 0.17 s. The production parameters (config.py) are checked once, by
# tests/test_accounts.py::test_the_production_configuration_hashes_with_argon2id_m65536_t3_p4.
FAST_PASSWORD_HASHING = {
    "argon2__type": "ID",
    "argon2__memory_cost": 8,
    "argon2__time_cost": 1,
    "argon2__parallelism": 1,
}


def app_config(database_url, **overrides):
    """The configuration of every test application, in this process or in one it starts."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "SECURITY_PASSWORD_SALT": "test-salt",
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": dict(FAST_PASSWORD_HASHING),
        # Scans run when a test says so (scanner.jobs.run_next), never in a background thread.
        "SCAN_WORKER": "off",
        **overrides,
    }


def _run_database_name(base):
    """``<base>_<pid>_<hex>``, within PostgreSQL's 63 bytes for a name."""
    suffix = "_" + RUN_ID
    return (base or "cookie_charte_test")[: 63 - len(suffix)] + suffix


def _postgres_url():
    """This run's PostgreSQL URL (the database is created when first needed), or None when no
    server answers and none is required."""
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    target = make_url(url)
    try:
        engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as error:
        if CI or os.environ.get("TEST_DATABASE_URL"):
            raise RuntimeError(f"PostgreSQL is required for the tests but unreachable at {url}: {error}") from error
        return None
    return target.set(database=_run_database_name(target.database)).render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url()
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
_created = []


def _maintenance_engine():
    return create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_run_database():
    """Create this run's PostgreSQL database (once); it is dropped when the run ends."""
    if _created:
        return POSTGRES_URL
    name = make_url(POSTGRES_URL).database
    engine = _maintenance_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    _created.append(name)
    return POSTGRES_URL


def drop_run_database():
    """Drop this run's PostgreSQL database, ending any connection left to it."""
    while _created:
        name = _created.pop()
        engine = _maintenance_engine()
        try:
            with engine.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )
                force = " WITH (FORCE)" if conn.dialect.server_version_info >= (13,) else ""
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"{force}'))
        finally:
            engine.dispose()


def pytest_sessionfinish(session, exitstatus):
    drop_run_database()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "only_on(backend): run the test on that database only ('sqlite' or 'postgresql')"
    )


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
    """This run's database for the backend: a file in the run's temporary folder, or this
    run's PostgreSQL database."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    return create_run_database()


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(
        app_config(database_url, CHARTE_SIGNAL_FILE=str(tmp_path_factory.mktemp("signal") / "charte.signal"))
    )
    # The run's own instance folder (import previews), not the project's instance/.
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        from account.users import create_user

        for role in ROLES:
            create_user(f"{role}@example.com", PASSWORD, role)
        db.session.remove()
    yield app
    with app.app_context():
        # The database itself goes: the SQLite file with the temporary folder, the PostgreSQL
        # database at the end of the run.
        db.session.remove()
        db.engine.dispose()


INVENTORY_TABLES = (
    "scan",
    "review_request",
    "policy_rendering",
    "policy_version",
    "login_attempt",
    "record_change",
    "change_set",
    "cookie_purpose",
    "cookie",
    "purpose",
    "provider",
    "category",
    "site_settings",
    "inventory_state",
)


def reset_inventory():
    """Empty the inventory tables (users are kept), reload the seed and publish it as version 1,
    as ``flask setup`` does."""
    from inventory.publication.versions import ensure_first_version
    from inventory.seed import load_seed

    for name in INVENTORY_TABLES:
        db.session.execute(delete(db.metadata.tables[name]))
    db.session.commit()
    load_seed()
    ensure_first_version(db.session)
    db.session.remove()


@pytest.fixture
def app(_app):
    with _app.app_context():
        reset_inventory()
    with _app.app_context():
        yield _app
        db.session.remove()


@pytest.fixture
def statements(app):
    """The SQL statements sent while the test runs (see tests/helpers.py: statements_sent)."""
    from tests.helpers import statements_sent

    with statements_sent() as sent:
        yield sent


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
    response = client.post("/account/login", data={"email": email, "password": password, "csrf_token": client.csrf})
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
def publisher_client(app):
    return _logged_in(app, "publisher")


@pytest.fixture
def viewer_client(app):
    return _logged_in(app, "viewer")


@pytest.fixture
def restore_accounts(app):
    """Accounts outlive a test (only the inventory is reset): remove the ones a test added and
    reactivate the three role accounts afterwards."""
    yield
    from models import User

    db.session.remove()
    session = db.session
    for user in session.scalars(select(User)):
        if user.email in tuple(f"{role}@example.com" for role in ROLES):
            user.active = True
        else:
            session.delete(user)
    session.commit()
    session.remove()
