"""Application factory: ``create_app(config=None)``."""

from pathlib import Path

from flask import Flask, g, has_request_context, render_template, request, session

from account import security as account_security
from config import DEFAULT_LANGUAGE, LANGUAGES, build_config
from extensions import babel, csrf, migrate
from models import db, search_indexes
from models.database import configure_engine
from rules.language import FORMAT_LOCALES, count_ngettext, set_page_language_resolver

ROOT = Path(__file__).resolve().parent


def select_locale():
    """The Babel locale of the page's language (``FORMAT_LOCALES``): English formats British."""
    return FORMAT_LOCALES[_requested_language()]


def _requested_language():
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


def _page_language():
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else None


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
    from inventory import changes

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    changes.init_app(app)
    # The PostgreSQL search indexes live in a migration only (models/search_indexes.py).
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=search_indexes.include_object,
    )
    babel.init_app(app, locale_selector=select_locale)
    # Counts in templates grouped the language's way (2 167), as rules.language.ngettext does.
    app.jinja_env.globals["ngettext"] = count_ngettext(app.jinja_env.globals["ngettext"])
    set_page_language_resolver(_page_language)
    from hardening import headers, inputs, throttle

    headers.init_app(app)
    inputs.init_app(app)
    throttle.init_app(app)
    # CSRFProtect before Security, as Flask-Security requires.
    csrf.init_app(app)

    from flask_security import SQLAlchemyUserDatastore

    from models import Role, User

    account_security.init_app(app, SQLAlchemyUserDatastore(db, User, Role))

    from admin import init_admin

    init_admin(app)

    @app.context_processor
    def inject_languages():
        from flask_babel import get_locale

        locale = get_locale()
        return {"current_lang": locale.language if locale else DEFAULT_LANGUAGE, "languages": LANGUAGES}


def register_blueprints(app):
    from account import bp as account_bp
    from api import bp as api_bp
    from charte import bp as charte_bp
    from charte import root_bp
    from embed import bp as embed_bp

    app.register_blueprint(root_bp)
    app.register_blueprint(charte_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(embed_bp)


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

    from werkzeug.exceptions import SecurityError

    # A Host outside TRUSTED_HOSTS: no page can be built for it (every link names the host).
    app.register_error_handler(
        SecurityError, lambda e: ("400 Bad Request: unknown host.\n", 400, {"Content-Type": "text/plain"})
    )


def register_commands(app):
    from cli import register

    register(app)
