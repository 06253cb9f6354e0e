"""Application factory: ``create_app(config=None)``."""
import logging
from pathlib import Path

from flask import Flask, g, has_request_context, render_template, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import DEFAULT_LANGUAGE, LANGUAGES, build_config
from extensions import babel, csrf, migrate, security
from models import db

ROOT = Path(__file__).resolve().parent


def select_locale():
    """The language of the page: the URL's for the charte, else the user's choice, else the browser's."""
    lang = getattr(g, "lang", None)
    if lang in LANGUAGES:
        return lang
    if not has_request_context():
        # CLI and background work: no visitor, so the default language.
        return DEFAULT_LANGUAGE
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def create_app(config=None):
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True)
    app.config.update(build_config(app.instance_path))
    if config:
        app.config.update(config)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)

    # Outermost, so that every middleware (the charte's page cache) sees the forwarded host.
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def register_extensions(app):
    import inventory.history  # noqa: F401  (registers the change-history listeners)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale)
    from hardening import headers, inputs, throttle

    headers.init_app(app)
    inputs.init_app(app)
    throttle.init_app(app)
    # CSRFProtect before Security, as Flask-Security requires.
    csrf.init_app(app)

    from flask_security import SQLAlchemyUserDatastore

    from models import Role, User

    security.init_app(app, SQLAlchemyUserDatastore(db, User, Role))

    from admin import init_admin

    init_admin(app)

    @app.context_processor
    def inject_languages():
        from flask_babel import get_locale

        return {"current_lang": str(get_locale() or DEFAULT_LANGUAGE), "languages": LANGUAGES}


def register_blueprints(app):
    from account import bp as account_bp
    from api import bp as api_bp
    from charte import bp as charte_bp
    from charte import root_bp

    app.register_blueprint(root_bp)
    app.register_blueprint(charte_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(api_bp)


def register_errorhandlers(app):
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code >= 500:
            app.logger.exception("Unhandled error on %s", request.path)
        return render_template("errors/error.html", code=code), code

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)

    from flask_wtf.csrf import CSRFError

    app.register_error_handler(CSRFError, lambda e: (render_template("errors/error.html", code=400, csrf=True), 400))


def register_commands(app):
    from cli import register

    register(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, allow readers during writes, wait instead of failing."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
        # SQLAlchemy emits BEGIN itself (see below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """A request that may write takes SQLite's write lock when its transaction starts
    (BEGIN IMMEDIATE), so that concurrent read-modify-write requests queue up instead of
    failing with "database is locked" or losing an update; reads stay concurrent."""
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        # Asked for no transaction (charte/cache.py's state reads): each statement stands alone.
        return
    writing = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
