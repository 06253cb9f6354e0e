"""The public cookie policy ("charte cookies"), at /fr/cookies and /en/cookies."""

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from config import DEFAULT_LANGUAGE, LANGUAGES
from models.inventory import PARTY_LABELS, STORAGE_LABELS
from models.inventory import bilingual as _bilingual
from public import cache
from rules.countries import country_name as _country_name

from .data import load_charte

bp = Blueprint("charte", __name__, url_prefix="/<any(fr,en):lang>")
root_bp = Blueprint("root", __name__)


@bp.record_once
def _init_cache(state):
    paths = {f"/{lang}/cookies": ("charte", lang) for lang in LANGUAGES}
    cache.public_page(state, "charte.cookies", paths)


@bp.url_value_preprocessor
def pull_lang(endpoint, values):
    g.lang = values.pop("lang")


@bp.url_defaults
def add_lang(endpoint, values):
    if "lang" not in values:
        values["lang"] = getattr(g, "lang", DEFAULT_LANGUAGE)


@bp.get("/cookies")
def cookies():
    """The policy, rendered once per inventory revision (see charte/cache.py)."""
    lang = g.lang
    return cache.cached_response(
        "charte",
        lang,
        lambda: render_template("charte/cookies.html", charte=load_charte(lang), origin=cache.ORIGIN),
    )


# The policy's column names, for the phone layout where each cookie is a card: written once in
# a small stylesheet instead of beside every cell of every row (a tenth of a large page).
COLUMN_LABELS = (
    ("td:nth-of-type(1)", _l("Provider")),
    ("td:nth-of-type(2)", _l("Service and location")),
    ("th", _l("Cookie name")),
    ("td:nth-of-type(3)", _l("Purposes")),
    ("td:nth-of-type(4)", _l("Lifetime")),
    ("td:nth-of-type(5)", _l("Set by")),
    ("td:nth-of-type(6)", _l("Type")),
)


def _css_string(text):
    """A CSS string that no text can break out of: anything but letters, digits and spaces escaped."""
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in str(text)) + '"'


@bp.get("/cookies/labels.css")
def labels():
    rules = "\n".join(
        f"@media screen and (max-width: 46rem) {{ table.cookies tbody {cell}::before {{ content: {_css_string(label)}; }} }}"
        for cell, label in COLUMN_LABELS
    )
    response = current_app.response_class(rules + "\n", mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _redirect_by_browser_language():
    lang = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    response = redirect(url_for("charte.cookies", lang=lang))
    response.headers["Vary"] = "Accept-Language"
    return response


root_bp.add_url_rule("/", "index", _redirect_by_browser_language)
root_bp.add_url_rule("/cookies", "cookies", _redirect_by_browser_language)


@bp.app_template_global()
def bilingual(obj, field):
    return _bilingual(obj, field)


@bp.app_template_global()
def party_label(value):
    return PARTY_LABELS.get(value, value)


@bp.app_template_global()
def storage_label(value):
    return STORAGE_LABELS.get(value, value)


@bp.app_template_global()
def country_name(code):
    return _country_name(code, get_locale())
