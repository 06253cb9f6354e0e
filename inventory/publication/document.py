"""The policy as a document: what visitors are shown, in French and English, read from the
inventory (the draft) in a fixed number of queries, and derived from the kinds' public fields.

A field pair ``x_fr``/``x_en`` becomes ``x: {"fr": …, "en": … or null}``; a lifetime carries
its readable texts in both languages; records carry their stable ids. A published version
stores this document as canonical JSON, and every page, feed and export of that version is
made from it. Never the editors' notes, hidden cookies or sample flags.
"""

import json

from sqlalchemy import select

from models import Category, Cookie, Provider, Purpose, SiteSettings, cookie_purposes
from rules import lifetime as lifetimes

from ..kinds import CATEGORY, COOKIE, PROVIDER, PURPOSE, SETTINGS, Lifetime, Purposes, Reference
from ..rows import binary

FORMAT_NAME = "cookie-policy"
FORMAT_VERSION = 1


def canonical_json(value):
    """The one byte form of a JSON value that digests are computed on."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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


def draft_document(session):
    """The document the inventory would publish now, as a dict in a fixed order."""
    settings = SiteSettings.current(session)
    shown = Cookie.shown_on_policy.is_(True)
    stored = [
        getattr(Cookie, name)
        for f in COOKIE.fields
        if f.public and not isinstance(f.value, (Reference, Purposes))
        for name in f.stored
    ]
    rows = session.execute(
        select(Cookie.id, Cookie.provider_id, Category.key.label("category"), *stored)
        .join(Category, Cookie.category_id == Category.id)
        .where(shown)
        .order_by(binary(Cookie.name, session), binary(Cookie.domain, session), Cookie.id)
    ).all()
    links = session.execute(
        select(cookie_purposes.c.cookie_id, cookie_purposes.c.purpose_id)
        .join(Cookie, Cookie.id == cookie_purposes.c.cookie_id)
        .where(shown)
        .order_by(cookie_purposes.c.cookie_id, cookie_purposes.c.purpose_id)
    ).all()
    purpose_ids = {}
    for cookie_id, purpose_id in links:
        purpose_ids.setdefault(cookie_id, []).append(purpose_id)
    used = {purpose_id for _, purpose_id in links}
    purposes = {
        purpose.id: purpose
        for purpose in session.scalars(select(Purpose).where(Purpose.id.in_(used)).order_by(Purpose.id))
    }
    providers = sorted(
        session.scalars(select(Provider).where(Provider.id.in_({row.provider_id for row in rows}))),
        key=lambda provider: (provider.name.casefold(), provider.id),
    )
    names = {provider.id: provider.name for provider in providers}
    texts = lifetimes.Descriptions()

    def lifetime(unit, amount):
        return {"unit": unit, "amount": amount, "fr": texts(unit, amount, "fr"), "en": texts(unit, amount, "en")}

    def cookie(row):
        values = row._asdict()
        values["provider"] = names[row.provider_id]
        ids = purpose_ids.get(row.id, [])
        values["purposes"] = [(purposes[i].description_fr, purposes[i].description_en) for i in ids]
        return {
            "id": row.id,
            **public_fields(COOKIE, values, lifetime),
            "provider_id": row.provider_id,
            "purpose_ids": ids,
        }

    categories = session.scalars(select(Category).order_by(Category.position, Category.id))
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "site": {"id": settings.id if settings else None},
        "publisher": None if settings is None else public_fields(SETTINGS, settings),
        "categories": [public_fields(CATEGORY, category) for category in categories],
        "providers": [{"id": provider.id, **public_fields(PROVIDER, provider)} for provider in providers],
        "purposes": [{"id": purpose.id, **public_fields(PURPOSE, purpose)} for purpose in purposes.values()],
        "cookies": [cookie(row) for row in rows],
    }
