"""The public, read-only API: /api/v1/inventory.json, what the cookie policy shows.

Only what the policy publishes goes out: the cookies shown on it, with their providers,
categories and purposes in French and English, and the publisher's contact details; never
the editors' notes, the hidden cookies or the sample flags. Cookies are read with the export's
``iter_cookies``. The document is built once per inventory revision and served like the
policy (charte/cache.py): ETag, Last-Modified, 304; any site may read it (CORS).
"""
import json

from flask import Blueprint
from flask_babel import force_locale
from sqlalchemy import select

from charte import cache
from rules import lifetime as lifetimes
from inventory.export import iter_cookies, publisher_dict, timestamp
from models import Category, Cookie, InventoryState, Provider, SiteSettings, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")

FORMAT_NAME = "cookie-policy"
FORMAT_VERSION = 1


@bp.record_once
def _init_cache(state):
    cache.public_page(state, "api.inventory", {"/api/v1/inventory.json": ("inventory-json", None)})


@bp.get("/inventory.json")
def inventory():
    response = cache.cached_response("inventory-json", None, policy_document, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _both(obj, field):
    return {"fr": getattr(obj, f"{field}_fr"), "en": getattr(obj, f"{field}_en") or None}


def policy_document():
    """The policy's content as JSON (UTF-8 bytes), in a fixed order."""
    session = db.session
    settings = session.scalars(select(SiteSettings).order_by(SiteSettings.id).limit(1)).first()
    state = session.get(InventoryState, 1)
    shown = Cookie.shown_on_policy.is_(True)
    cookies = list(iter_cookies(select(Cookie).where(shown), session))
    providers = sorted(
        session.scalars(select(Provider).where(Provider.id.in_(select(Cookie.provider_id).where(shown)))),
        key=lambda provider: provider.name.casefold(),
    )
    described = {}

    def lifetime(unit, amount):
        if (unit, amount) not in described:
            texts = {}
            for lang in ("fr", "en"):
                with force_locale(lang):
                    texts[lang] = str(lifetimes.describe(unit, amount))
            described[unit, amount] = {"unit": unit, "amount": amount, **texts}
        return described[unit, amount]

    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "revision": state.revision if state else 0,
        "last_updated": timestamp(state.changed_at) if state else None,
        "publisher": None if settings is None else publisher_dict(settings),
        "categories": [
            {
                "key": category.key,
                "consent_required": bool(category.consent_required),
                "name": _both(category, "name"),
                "description": _both(category, "description"),
            }
            for category in session.scalars(select(Category).order_by(Category.position, Category.id))
        ],
        "providers": [
            {
                "name": provider.name,
                "website": provider.website,
                "privacy_policy_url": provider.privacy_policy_url,
                "country": provider.country,
            }
            for provider in providers
        ],
        "cookies": [
            {
                "name": cookie["name"],
                "domain": cookie["domain"] or "",
                "is_pattern": bool(cookie["is_pattern"]),
                "provider": cookie["provider"],
                "category": cookie["category"],
                "service": {"fr": cookie["service_fr"], "en": cookie["service_en"] or None},
                "purposes": [{"fr": fr, "en": en or None} for fr, en in cookie["purposes"]],
                "lifetime": lifetime(cookie["lifetime_unit"], cookie["lifetime_amount"]),
                "party": cookie["party"],
                "storage_kind": cookie["storage_kind"],
            }
            for cookie in cookies
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
