"""The policy on the site itself: the current version's policy as an HTML fragment
(/embed/<lang>/policy.html, which static/embed/policy.js puts in a site's page), the
consent-manager configurations generated from it (/embed/cookieconsent.json, /embed/klaro.json) and the scripts a
site includes (static/embed/). Public, cached like the policy pages, readable from any origin."""

import json
import re

from flask import Blueprint, abort, current_app, request, url_for

from charte.pages import embedded_html
from inventory.publication.versions import document_of
from models import PolicyVersion, db
from public import cache
from public.cors import readable_by_any_site
from rules.language import LANGUAGES

from . import cookieconsent, klaro

bp = Blueprint("embed", __name__, url_prefix="/embed")

readable_by_any_site(bp)


@bp.record_once
def _init_cache(state):
    cache.public_page(state, "embed.cookieconsent_config", {})
    cache.public_page(state, "embed.policy_fragment", {})
    cache.public_page(state, "embed.klaro_config", {})


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


@bp.get("/klaro.json")
def klaro_config():
    return _json("embed-klaro", lambda version, base: klaro.configuration(document_of(version), policy_urls(base)))


# Our own links (the archive, the changes) are made absolute: the fragment is read on another
# site. Editors' texts are escaped, so only our attributes can start with href="/.
_OWN_LINK = re.compile(r'(href|src)="/(?!/)')


@bp.get("/<any(fr,en):lang>/policy.html")
def policy_fragment(lang):
    base = site_base()

    def render(state):
        version = _current(state)
        html = embedded_html(version, lang, archive_public=state.archive_public)
        return _OWN_LINK.sub(lambda m: f'{m.group(1)}="{base}/', html).encode("utf-8")

    return cache.cached_response("embed-policy", lang, render, mimetype="text/html", key=(base,))
