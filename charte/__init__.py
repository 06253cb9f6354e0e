"""The public cookie policy ("charte cookies") at /fr/cookies and /en/cookies: the current
published version, the archive of every version and what changed between them."""

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, to_user_timezone
from sqlalchemy import select

from config import DEFAULT_LANGUAGE, LANGUAGES
from inventory.publication.versions import document_of, ensure_first_version, policy_published, version_number
from models import PolicyVersion, db
from public import cache
from rules.countries import country_name as _country_name

from .changes import SECTIONS, describe
from .labels import labels_css
from .pages import archived_page, current_page, render_both
from .policy import pick

bp = Blueprint("charte", __name__, url_prefix="/<any(fr,en):lang>")
root_bp = Blueprint("root", __name__)


@bp.record_once
def _init(state):
    paths = {f"/{lang}/cookies": ("charte", lang) for lang in LANGUAGES}
    paths.update({f"/{lang}/cookies/versions": ("versions", lang) for lang in LANGUAGES})
    cache.public_page(state, "charte.cookies", paths)
    for endpoint in ("charte.versions", "charte.version", "charte.changes"):
        cache.public_page(state, endpoint, {})
    app = state.app
    # A publication's pages are made once it is committed, so that its first visitors find them.
    policy_published.connect(lambda sender, version_id: render_both(sender, version_id), sender=app, weak=False)


@bp.url_value_preprocessor
def pull_lang(endpoint, values):
    g.lang = values.pop("lang")


@bp.url_defaults
def add_lang(endpoint, values):
    if "lang" not in values:
        values["lang"] = getattr(g, "lang", DEFAULT_LANGUAGE)


def _current(state):
    if state.version_id is None:
        # A database upgraded from before publication: its inventory becomes version 1 on the
        # first visit, so that a running site's policy does not disappear (once, by any worker).
        version = ensure_first_version(db.session)
        if version is None:
            abort(make_response(render_template("errors/error.html", code=404, unpublished=True), 404))
        return version
    return db.session.get(PolicyVersion, state.version_id)


@bp.get("/cookies")
def cookies():
    """The current version, as stored when it was first rendered."""
    lang = g.lang
    return cache.cached_response(
        "charte", lang, lambda state: current_page(_current(state), lang, state.archive_public)
    )


def _archive_open(state):
    if not state.archive_public:
        abort(404)


@bp.get("/cookies/versions")
def versions():
    """Every published version: number, date, change note, cookies, a link."""
    lang = g.lang

    def render(state):
        _archive_open(state)
        _current(state)
        rows = db.session.execute(
            select(
                PolicyVersion.number,
                PolicyVersion.published_at,
                PolicyVersion.note_fr,
                PolicyVersion.note_en,
                PolicyVersion.cookie_count,
            ).order_by(PolicyVersion.number.desc())
        ).all()
        # Dates as the visitor reads them, in the site's time zone: written once per day.
        days, listed = {}, []
        for row in rows:
            day = to_user_timezone(row.published_at).date()
            if day not in days:
                days[day] = (format_date(day, "yyyy-MM-dd"), format_date(day, "long"))
            listed.append((row, days[day]))
        return render_template(
            "charte/versions.html",
            versions=listed,
            current=state.number,
            in_lang=_in_lang(lang),
            # Written once, with the number put in per row.
            version_url=url_for("charte.version", number=0).replace("/0", "/\x00"),
            changes_url=url_for("charte.changes", number=0).replace("/0/", "/\x00/"),
        )

    return cache.cached_response("versions", lang, render)


@bp.get("/cookies/versions/<int:number>")
def version(number):
    lang = g.lang

    def render(state):
        _archive_open(state)
        found = _version(number)
        if found is None:
            abort(404)
        return archived_page(found, lang)

    return cache.cached_response("version", lang, render, key=(number,))


@bp.get("/cookies/versions/<int:number>/changes")
def changes(number):
    """What changed in version ``number``: since the version before, or since ``?since=M``."""
    lang = g.lang
    since = request.args.get("since", type=int)

    def render(state):
        _archive_open(state)
        newer = _version(number)
        older = _version(since if since is not None else number - 1)
        if newer is None or (since is not None and (older is None or since >= number)):
            abort(404)
        lines = describe(document_of(older) if older else None, document_of(newer), lang)
        return render_template(
            "charte/changes.html",
            newer=newer,
            older=older,
            lines=lines,
            sections=SECTIONS,
            numbers=range(1, state.number + 1),
        )

    return cache.cached_response("changes", lang, render, key=(number, since))


def _in_lang(lang):
    return lambda texts: pick(texts, lang)


@bp.get("/cookies/labels.css")
def labels():
    response = current_app.response_class(labels_css(g.lang), mimetype="text/css")
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
def country_name(code):
    return _country_name(code, get_locale())


def _version(number):
    return version_number(db.session, number) if number is not None else None
