"""The public, read-only API, from the published versions: /api/v1/policy.json (the current
version), /api/v1/policy/<N>.json (any version) and /api/v1/inventory.json (the current
version as it was served before publication existed, for what already reads it), and
/api/v1/policy.schema.json, the JSON Schema they follow. Served like
the policy (public/cache.py): compressed, ETag, Last-Modified, 304, readable by any site."""

import json
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app

from inventory.publication.feed_schema import PATH as FEED_SCHEMA
from inventory.publication.versions import document_of, version_number
from models import PolicyVersion, db
from public import cache
from public.addresses import address_key, policy_urls, site_base
from public.cors import readable_by_any_site
from rules.cells import timestamp
from rules.consent import consent_days, consent_months

bp = Blueprint("api", __name__, url_prefix="/api/v1")

readable_by_any_site(bp)


@bp.record_once
def _init_cache(state):
    cache.public_page(state, "api.policy", {"/api/v1/policy.json": ("policy-json", None)})
    cache.public_page(state, "api.inventory", {"/api/v1/inventory.json": ("inventory-json", None)})
    cache.public_page(state, "api.policy_version", {})


def _feed(version, base, **extra):
    document = document_of(version)
    publisher = document.get("publisher")
    site_url = (publisher or {}).get("site_url")
    head = {
        "policy_version": version.number,
        "published_at": timestamp(version.published_at),
        "sha256": version.digest,
        "policy_urls": policy_urls(base),
        "consent_duration": {"months": consent_months(publisher), "days": consent_days(publisher)},
        "site_host": urlsplit(site_url).hostname if site_url else None,
        **extra,
    }
    return json.dumps({**head, **document}, ensure_ascii=False, indent=1).encode("utf-8")


def _json(kind, render, key=()):
    base = site_base()
    return cache.cached_response(
        kind, None, lambda state: render(state, base), mimetype="application/json", key=(*key, *address_key())
    )


def _current(state):
    if state.version_id is None:
        abort(404)
    return db.session.get(PolicyVersion, state.version_id)


@bp.get("/policy.json")
def policy():
    return _json("policy-json", lambda state, base: _feed(_current(state), base))


@bp.get("/policy/<int:number>.json")
def policy_version(number):
    def render(state, base):
        found = version_number(db.session, number) if state.archive_public else None
        if found is None:
            abort(404)
        return _feed(found, base)

    return _json("policy-version-json", render, key=(number,))


@bp.get("/inventory.json")
def inventory():
    """The current version, with the fields this feed had before publication: ``revision``
    is now the version number, so it moves only when a publication changes the policy."""

    def render(state, base):
        version = _current(state)
        return _feed(version, base, revision=version.number, last_updated=timestamp(version.published_at))

    return _json("inventory-json", render)


@bp.get("/policy.schema.json")
def policy_schema():
    """The JSON Schema every feed here follows (inventory/schema/policy-feed-v1.schema.json)."""
    response = current_app.response_class(FEED_SCHEMA.read_bytes(), mimetype="application/schema+json")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
