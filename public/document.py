"""The policy as a document for other sites (/api/v1/inventory.json): what visitors are shown,
in French and English, derived from the kinds' public fields (inventory/kinds.py).

A field pair ``x_fr``/``x_en`` becomes ``x: {"fr": …, "en": … or null}``; a lifetime carries
its readable texts in both languages. Never the editors' notes, hidden cookies or sample flags.
"""

from sqlalchemy import select

from inventory.kinds import CATEGORY, COOKIE, PROVIDER, SETTINGS, Lifetime, Purposes
from inventory.rows import iter_cookies
from models import Category, Cookie, InventoryState, Provider, SiteSettings
from rules import lifetime as lifetimes
from rules.cells import timestamp

FORMAT_NAME = "cookie-policy"
FORMAT_VERSION = 1


def public_fields(kind, values, lifetime_texts=None):
    """The public fields of one record (a dict of its values, or the object itself)."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    document = {}
    for field in kind.fields:
        if not field.public or field.name.endswith("_en"):
            continue
        if field.name.endswith("_fr"):
            base = field.name.removesuffix("_fr")
            document[base] = {"fr": get(field.name), "en": get(base + "_en") or None}
        elif isinstance(field.value, Purposes):
            document[field.name] = [{"fr": fr, "en": en or None} for fr, en in get("purposes")]
        elif isinstance(field.value, Lifetime):
            document[field.name] = lifetime_texts(get("lifetime_unit"), get("lifetime_amount"))
        else:
            value = get(field.name)
            document[field.name] = bool(value) if isinstance(value, bool) else value
    return document


def policy_document(session):
    """The document as a dict, in a fixed order."""
    settings = SiteSettings.current(session)
    state = session.get(InventoryState, 1)
    shown = Cookie.shown_on_policy.is_(True)
    providers = sorted(
        session.scalars(select(Provider).where(Provider.id.in_(select(Cookie.provider_id).where(shown)))),
        key=lambda provider: provider.name.casefold(),
    )
    texts = lifetimes.Descriptions()

    def lifetime(unit, amount):
        return {"unit": unit, "amount": amount, "fr": texts(unit, amount, "fr"), "en": texts(unit, amount, "en")}

    categories = session.scalars(select(Category).order_by(Category.position, Category.id))
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "revision": state.revision if state else 0,
        "last_updated": timestamp(state.changed_at) if state else None,
        "publisher": None if settings is None else public_fields(SETTINGS, settings),
        "categories": [public_fields(CATEGORY, category) for category in categories],
        "providers": [public_fields(PROVIDER, provider) for provider in providers],
        "cookies": [
            public_fields(COOKIE, cookie, lifetime) for cookie in iter_cookies(select(Cookie).where(shown), session)
        ],
    }
