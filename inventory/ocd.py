"""The Open Cookie Database (github.com/jkwakman/Open-Cookie-Database) mapped to our inventory.

Its CSV header is ``ID,Platform,Category,Cookie / Data Key name,Domain,Description,
Retention period,Data Controller,User Privacy & GDPR Rights Portals,Wildcard match``.

How a row becomes a cookie:

- Category: Necessary and Security -> ``necessary``; Functional and Personalization ->
  ``preferences``; Analytics -> ``statistics``; Marketing -> ``marketing``. "Functional" is
  mapped to a category that needs consent on purpose: calling a cookie strictly necessary is
  a legal decision for the site's team, never a default.
- Domain: "facebook.com (3rd party)" -> ``facebook.com``, third party; empty -> the site's own
  domain, first party; any other named domain is not the site's, so third party too. Several
  domains in one cell ("a.com or b.com") are rejected: one cookie, one domain.
- Wildcard match 1 -> a name pattern (the name is a prefix).
- Retention period -> ``rules.lifetime.parse_duration``; "persistent", "unknown", ranges
  and conditions are rejected with the text quoted.
- Data Controller -> the provider (matched by name); its privacy portal becomes the
  provider's privacy policy address when it is a valid http(s) address and the provider has
  none yet.
- Platform -> the service, in both languages (it is a product name).
- Description -> the purpose's English text. The French text is required (and unique) in our
  model and the database has no French to give, so the purpose's French text is the English
  text behind the marker ``UNTRANSLATED`` ("[EN] …"): visible in the back office, searchable,
  and never passed off as French. A purpose is matched by that French text, or by its English
  text when the team has since translated it, so a second import does not undo a translation.
- A new cookie is created hidden from the policy (``shown_on_policy`` false) with a note
  naming its source row: the team checks it, translates it, then publishes it. An existing
  cookie (same name and domain) gets the database's facts (category, provider, lifetime,
  party, pattern) and keeps its texts, purposes, visibility and notes.
"""
import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from .records import Problem, Record

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

CATEGORIES = {
    "necessary": "necessary",
    "security": "necessary",
    "functional": "preferences",
    "personalization": "preferences",
    "personalisation": "preferences",
    "analytics": "statistics",
    "marketing": "marketing",
}

# Put before the English text in a purpose's French field until someone translates it.
UNTRANSLATED = "[EN] "

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


def is_untranslated(french):
    return bool(french) and french.startswith(UNTRANSLATED)


def _privacy_url(text):
    text = (text or "").strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc and not any(ch.isspace() for ch in text):
        return text
    return None


def record(cells, where):
    """The Record of one database row (a dict keyed by HEADER)."""
    rec = Record(kind="cookie", where=where, match_purpose_by_english=True)
    rec.columns = {
        "name": NAME_COLUMN,
        "domain": "Domain",
        "party": "Domain",
        "category": "Category",
        "provider": "Data Controller",
        "lifetime_unit": "Retention period",
        "lifetime_amount": "Retention period",
        "lifetime": "Retention period",
        "is_pattern": "Wildcard match",
        "service_fr": "Platform",
        "service_en": "Platform",
        "purposes": "Description",
        "provider_privacy_policy_url": "User Privacy & GDPR Rights Portals",
    }
    from rules.lifetime import parse_duration
    from rules.validation import InventoryError

    rec.values["name"] = cells.get(NAME_COLUMN, "")

    try:
        rec.values["domain"], rec.values["party"] = split_domain(cells.get("Domain"))
    except ValueError:
        rec.problems.append(
            Problem(
                where,
                _l("“%(text)s” is not one domain: split it into one row per domain.", text=cells.get("Domain", "")[:80]),
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
        rec.problems.append(Problem(where, _l("Write 1 for a name prefix, 0 (or nothing) otherwise."), "Wildcard match"))
    rec.values["is_pattern"] = wildcard == "1"

    rec.values["provider"] = cells.get("Data Controller", "")
    url = _privacy_url(cells.get("User Privacy & GDPR Rights Portals"))
    if url:
        rec.fill_empty["provider_privacy_policy_url"] = url

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
