"""The Open Cookie Database (github.com/jkwakman/Open-Cookie-Database) CSV mapped to cookies.

How each column maps is in the README ("Import and export") and in ``record`` below. Its
purposes have no French text: their French is the English behind ``UNTRANSLATED`` ("[EN] …")
until someone translates it, and a new cookie is created hidden from the policy.
"""

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from rules.language import UNTRANSLATED
from rules.lifetime import parse_duration
from rules.validation import InventoryError

from ..kinds import COOKIE, PROVIDER
from .report import Problem, Record

HEADER = (
    "ID",
    "Platform",
    "Category",
    "Cookie / Data Key name",
    "Domain",
    "Description",
    "Retention period",
    "Data Controller",
    "User Privacy & GDPR Rights Portals",
    "Wildcard match",
)
NAME_COLUMN = "Cookie / Data Key name"
PORTAL_COLUMN = "User Privacy & GDPR Rights Portals"
# A file must have every column but these.
REQUIRED_COLUMNS = tuple(column for column in HEADER if column not in ("ID", PORTAL_COLUMN))

# Which column gives which cookie field (named as in ``KINDS``): problems name that column.
_SOURCES = {
    NAME_COLUMN: ("name",),
    "Domain": ("domain", "party"),
    "Category": ("category",),
    "Data Controller": ("provider",),
    "Retention period": ("lifetime",),
    "Wildcard match": ("is_pattern",),
    "Platform": ("service_fr", "service_en"),
    "Description": ("purposes",),
}
# The provider's privacy policy address, filled from the portal column when it has none.
PROVIDER_URL = "provider_" + PROVIDER.field("privacy_policy_url").name
COLUMNS = {
    stored: column
    for column, names in _SOURCES.items()
    for name in names
    for stored in {name, *COOKIE.field(name).stored}
} | {PROVIDER_URL: PORTAL_COLUMN}

# "Functional" goes to a category that needs consent on purpose: calling a cookie strictly
# necessary is a legal decision for the site's team, never a default.
CATEGORIES = {
    "necessary": "necessary",
    "security": "necessary",
    "functional": "preferences",
    "personalization": "preferences",
    "personalisation": "preferences",
    "analytics": "statistics",
    "marketing": "marketing",
}


_THIRD_PARTY = re.compile(r"\s*\(\s*3rd[\s-]*party\s*\)\s*$", re.IGNORECASE)
_SEVERAL = re.compile(r"\s(or|and)\s|[,;/]|\s", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def looks_like_ocd(header):
    return NAME_COLUMN in header and "Retention period" in header


def split_domain(text):
    """(domain, party) from the database's Domain cell, or raise ValueError naming the problem."""
    text = (text or "").translate(_INVISIBLE).strip()
    if not text:
        return "", "first"
    third = _THIRD_PARTY.search(text)
    if third:
        text = text[: third.start()].strip()
    if _SEVERAL.search(text) or "(" in text:
        raise ValueError("several")
    return text.rstrip("."), "third"


def untranslated(english):
    return UNTRANSLATED + english


def _privacy_url(text):
    text = (text or "").strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc and not any(ch.isspace() for ch in text):
        return text
    return None


def record(cells, where):
    """The Record of one database row (a dict keyed by HEADER). A new cookie gets the texts
    and flags of ``create_only``; an existing one (same name and domain) gets the database's
    facts (category, provider, lifetime, party, pattern) and keeps its texts, purposes,
    visibility and notes."""
    rec = Record(kind=COOKIE.name, where=where, columns=dict(COLUMNS), match_purpose_by_english=True)
    rec.values["name"] = cells.get(NAME_COLUMN, "")

    try:
        rec.values["domain"], rec.values["party"] = split_domain(cells.get("Domain"))
    except ValueError:
        rec.problems.append(
            Problem(
                where,
                _l(
                    "“%(text)s” is not one domain: split it into one row per domain.", text=cells.get("Domain", "")[:80]
                ),
                "Domain",
            )
        )

    category = (cells.get("Category") or "").strip()
    if category.lower() in CATEGORIES:
        rec.values["category"] = CATEGORIES[category.lower()]
    else:
        rec.problems.append(
            Problem(
                where,
                _l(
                    "Unknown category “%(category)s”: expected one of %(choices)s.",
                    category=category[:40],
                    choices="Functional, Marketing, Analytics, Security, Necessary, Personalization",
                ),
                "Category",
            )
        )

    try:
        rec.values["lifetime_unit"], rec.values["lifetime_amount"] = parse_duration(cells.get("Retention period"))
    except InventoryError as error:
        rec.problems.append(Problem(where, error.message, "Retention period"))

    wildcard = (cells.get("Wildcard match") or "").strip()
    if wildcard not in ("", "0", "1"):
        rec.problems.append(
            Problem(where, _l("Write 1 for a name prefix, 0 (or nothing) otherwise."), "Wildcard match")
        )
    rec.values["is_pattern"] = wildcard == "1"

    rec.values["provider"] = cells.get("Data Controller", "")
    url = _privacy_url(cells.get(PORTAL_COLUMN))
    if url:
        rec.fill_empty[PROVIDER_URL] = url

    platform = cells.get("Platform", "")
    description = (cells.get("Description") or "").strip()
    if not description:
        rec.problems.append(Problem(where, _l("The description is empty: a cookie needs a purpose."), "Description"))
    rec.create_only.update(
        {
            "service_fr": platform,
            "service_en": platform,
            "purposes": [(untranslated(description), description)],
            "shown_on_policy": False,
            "storage_kind": "http_cookie",
            "notes": str(
                _l(
                    "Imported from the Open Cookie Database (ID %(id)s). The French purpose is the English "
                    "text marked [EN]: translate it, check the cookie, then show it on the policy.",
                    id=(cells.get("ID") or "?").strip()[:64],
                )
            ),
        }
    )
    return rec
