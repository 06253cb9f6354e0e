"""The policy on the site itself: the current version's policy as an HTML fragment
(/embed/<lang>/policy.html, which static/embed/policy.js puts in a site's page), the
consent-manager configurations generated from it (/embed/cookieconsent.json, /embed/klaro.json,
/embed/tarteaucitron.json) and the scripts a
site includes (static/embed/). Public, cached like the policy pages, readable from any origin."""

import json
import re

from flask import Blueprint, abort

from charte.pages import embedded_html
from inventory.publication.versions import document_of
from models import PolicyVersion, db
from public import cache
from public.addresses import address_key, policy_urls, site_base
from public.cors import readable_by_any_site

from . import cookieconsent, klaro, tarteaucitron

bp = Blueprint("embed", __name__, url_prefix="/embed")

readable_by_any_site(bp)


@bp.record_once
def _init_cache(state):
    cache.public_page(state, "embed.policy_fragment", {})
    cache.public_page(state, "embed.manager_config", {})


# The consent managers this app writes a configuration for: (document, version, policy urls) -> it.
_BUILDERS = {
    "cookieconsent": lambda document, version, urls: cookieconsent.configuration(document, version.number, urls),
    "klaro": lambda document, version, urls: klaro.configuration(document, urls),
    "tarteaucitron": lambda document, version, urls: tarteaucitron.configuration(document, urls),
}
CONFIGURED_MANAGERS = tuple(_BUILDERS)
# As the back office names them, with the release the tests run.
MANAGER_NAMES = {
    "cookieconsent": "vanilla-cookieconsent 3.1",
    "klaro": "Klaro 0.7",
    "tarteaucitron": "tarteaucitron.js 1.34",
}


def configuration(manager, version, base):
    """``manager``'s configuration from a published version, its links to the policy at ``base``."""
    return _BUILDERS[manager](document_of(version), version, policy_urls(base))


def configuration_json(manager, version, base):
    return json.dumps(configuration(manager, version, base), ensure_ascii=False, indent=1).encode("utf-8")


def _current(state):
    if state.version_id is None:
        abort(404)
    return db.session.get(PolicyVersion, state.version_id)


@bp.get(f"/<any({','.join(CONFIGURED_MANAGERS)}):manager>.json")
def manager_config(manager):
    base = site_base()
    return cache.cached_response(
        "embed-" + manager,
        None,
        lambda state: configuration_json(manager, _current(state), base),
        mimetype="application/json",
        key=address_key(),
    )


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

    return cache.cached_response("embed-policy", lang, render, mimetype="text/html", key=address_key())
