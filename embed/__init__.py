"""The policy on the site itself: consent-manager configurations generated from the published
version (/embed/cookieconsent.json) and the scripts a site includes (static/embed/). Public,
cached like the policy pages, readable from any origin."""

import json

from flask import Blueprint, abort, current_app, request, url_for

from inventory.publication.versions import document_of
from models import PolicyVersion, db
from public import cache
from public.cors import readable_by_any_site
from rules.language import LANGUAGES

from . import cookieconsent

bp = Blueprint("embed", __name__, url_prefix="/embed")

readable_by_any_site(bp)


@bp.record_once
def _init_cache(state):
    cache.public_page(state, "embed.cookieconsent_config", {})


def site_base():
    """This app's public address, as other sites must call it (PUBLIC_URL, else the request's host)."""
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def policy_urls(base):
    return {lang: base + url_for("charte.cookies", lang=lang) for lang in LANGUAGES}


def _current(state):
    if state.version_id is None:
        abort(404)
    return db.session.get(PolicyVersion, state.version_id)


def _json(kind, build):
    base = site_base()

    def render(state):
        version = _current(state)
        return json.dumps(build(version, base), ensure_ascii=False, indent=1).encode("utf-8")

    # Keyed by the address the links point to: without PUBLIC_URL, each host gets its own (the
    # cache is bounded).
    return cache.cached_response(kind, None, render, mimetype="application/json", key=(base,))


@bp.get("/cookieconsent.json")
def cookieconsent_config():
    return _json(
        "embed-cookieconsent",
        lambda version, base: cookieconsent.configuration(document_of(version), version.number, policy_urls(base)),
    )
