"""The Open Cookie Database (github.com/jkwakman/Open-Cookie-Database) CSV mapped to cookies.

How each column maps is in the README ("Import and export") and in ``record`` below. Its
purposes have no French text: their French is the English behind ``UNTRANSLATED`` ("[EN] …")
until someone translates it, and a new cookie is created hidden from the policy.

The database's rough rows are imported for review rather than refused (our own formats stay
strict): a vague retention gets the ``PLACEHOLDER_LIFETIME``, a cell of several domains one
cookie per domain, an over-long description is cut to what a purpose holds (the full text
goes to the notes), a second row with the same name and domain is merged into the first,
and invisible characters leave the name. Each such row's problem is a ``flag``: written into
the new cookie's notes ("to check") and shown in the report.
"""

import re
import unicodedata
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from rules.language import UNTRANSLATED
from rules.lifetime import parse_duration
from rules.validation import InventoryError

from ..kinds import COOKIE, PROVIDER, PURPOSE
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
# The field a problem's column stands for, to name it as the back office does.
FIELD_OF_COLUMN = {column: names[0] for column, names in _SOURCES.items()}
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


# A retention the database gives vaguely ("Varies", "Unknown", "forever", a range…) is recorded
# as 13 months, flagged: the longest lifetime the CNIL accepts for a cookie that needs consent
# (its 2020 guidelines and recommendation on trackers). A shorter guess would understate the
# cookie's life in the policy, the costlier mistake; a longer one would state a lifetime the
# site may not keep. The cookie stays hidden from the policy until someone checks it.
PLACEHOLDER_LIFETIME = ("months", 13)
# A row without a data controller or a platform: placeholders, flagged, for a new cookie only.
PLACEHOLDER_PROVIDER = "Unknown (Open Cookie Database)"
PLACEHOLDER_SERVICE = ("À préciser", "To be specified")

_THIRD_PARTY = re.compile(r"\(\s*3rd[\s-]*party\s*\)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;/]+")
_CONJUNCTIONS = {"or", "and"}
# Invisible in a name, and never part of one: soft hyphen, zero-width space, non-joiner and
# joiner, word joiner, invisible operators, Mongolian vowel separator, byte order mark.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u180e\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE), None)
# A host name's label (or a leading dot): what a label holding "[account]" is not.
_LABEL = re.compile(r"^[\w-]+$", re.UNICODE)


def looks_like_ocd(header):
    return NAME_COLUMN in header and "Retention period" in header


def split_domains(text):
    """([(domain, party)], cleaned) from the database's Domain cell: one pair per domain it
    names (``[("", "first")]`` for an empty cell); ``cleaned`` is True when the cell needed
    more than trimming to give them (a stray "or", a label that is a placeholder…)."""
    raw = (text or "").translate(_INVISIBLE).strip()
    if not raw:
        return [("", "first")], False
    parts = [part for part in _SEPARATORS.split(_THIRD_PARTY.sub(" ", raw)) if part]
    domains, cleaned = [], False
    for part in parts:
        if part.lower() in _CONJUNCTIONS:
            cleaned = True
            continue
        domain = _host(part.rstrip("."))
        cleaned = cleaned or domain != part.rstrip(".")
        if domain and domain not in domains:
            domains.append(domain)
    return [(domain, "third") for domain in domains], cleaned or not domains


def split_domain(text):
    """(domain, party) from a Domain cell naming one domain, else raise ValueError."""
    pairs, cleaned = split_domains(text)
    if cleaned or len(pairs) != 1:
        raise ValueError("several")
    return pairs[0]


def _host(text):
    """``text`` as a host name: "ads-[account].adhese.com" (a label that is a placeholder)
    gives ".adhese.com", the domain that covers every account's host; "" when none is left."""
    labels = text.split(".")
    dot = labels[0] == ""
    labels = labels[1:] if dot else labels
    bad = [index for index, label in enumerate(labels) if not _LABEL.match(label)]
    if not bad:
        return text
    rest = labels[bad[-1] + 1 :]
    return "." + ".".join(rest) if len(rest) >= 2 else ""


def clean_name(text):
    """(name, [names of the invisible characters removed])."""
    text = text or ""
    removed = sorted({ch for ch in text if ch in INVISIBLE})
    return text.translate(_INVISIBLE), [f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".strip() for ch in removed]


def _limit(model, column):
    return model.__table__.c[column].type.length


def _fit(text, limit):
    """``text`` cut to ``limit`` characters (an ellipsis last) when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    visibility and notes. What the row lacks or gives vaguely is a placeholder for a new
    cookie only, flagged (``create_flags``); an existing cookie keeps its own value."""
    rec = Record(
        kind=COOKIE.name, where=where, columns=dict(COLUMNS), match_purpose_by_english=True, merge_duplicates=True
    )
    ocd_id = (cells.get("ID") or "?").strip()[:64]
    name, removed = clean_name(cells.get(NAME_COLUMN, ""))
    rec.values["name"] = name
    if removed:
        rec.flags.append(
            _l(
                "Invisible characters removed from the name given by the Open Cookie Database: %(chars)s.",
                chars=", ".join(removed),
            )
        )

    text = cells.get("Domain") or ""
    pairs, cleaned = split_domains(text)
    if not pairs:
        rec.problems.append(
            Problem(where, _l("“%(text)s” is not a domain such as example.com.", text=text[:80]), "Domain")
        )
    else:
        (rec.values["domain"], rec.values["party"]), *others = pairs
        rec.variants = [{"domain": domain, "party": party} for domain, party in others]
        if others:
            rec.flags.append(
                _l(
                    "The Open Cookie Database gives several domains (“%(text)s”): one cookie recorded per domain; "
                    "check each.",
                    text=text.strip()[:200],
                )
            )
        elif cleaned:
            rec.flags.append(
                _l(
                    "The Open Cookie Database gives the domain as “%(text)s”: “%(domain)s” recorded; check it.",
                    text=text.strip()[:200],
                    domain=rec.values["domain"],
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

    retention = cells.get("Retention period")
    try:
        rec.values["lifetime_unit"], rec.values["lifetime_amount"] = parse_duration(retention)
    except InventoryError:
        rec.placeholders["lifetime_unit"], rec.placeholders["lifetime_amount"] = PLACEHOLDER_LIFETIME
        rec.create_flags.append(
            _l(
                "Lifetime unknown in the Open Cookie Database (“%(text)s”): 13 months recorded as a placeholder, "
                "the longest the CNIL accepts; check it.",
                text=" ".join((retention or "").split())[:200],
            )
        )

    wildcard = (cells.get("Wildcard match") or "").strip()
    if wildcard not in ("", "0", "1"):
        rec.problems.append(
            Problem(where, _l("Write 1 for a name prefix, 0 (or nothing) otherwise."), "Wildcard match")
        )
    rec.values["is_pattern"] = wildcard == "1"

    controller = (cells.get("Data Controller") or "").strip()
    if controller:
        rec.values["provider"] = controller
    else:
        rec.placeholders["provider"] = PLACEHOLDER_PROVIDER
        rec.create_flags.append(
            _l(
                "No data controller in the Open Cookie Database: “%(name)s” is a placeholder provider; "
                "choose the right one.",
                name=PLACEHOLDER_PROVIDER,
            )
        )
    url = _privacy_url(cells.get(PORTAL_COLUMN))
    if url:
        rec.fill_empty[PROVIDER_URL] = url

    platform = (cells.get("Platform") or "").strip()
    service_fr, service_en = (platform, platform) if platform else PLACEHOLDER_SERVICE
    if not platform:
        rec.create_flags.append(_l("No platform in the Open Cookie Database: describe the service."))
    description = (cells.get("Description") or "").strip()
    if not description:
        rec.problems.append(Problem(where, _l("The description is empty: a cookie needs a purpose."), "Description"))
    limit = _limit(PURPOSE.model, "description_en")
    english, french = _fit(description, limit), _fit(untranslated(description), limit)
    if english != description:
        rec.create_flags.append(
            _l(
                "The description is longer than a purpose holds (%(length)d characters, at most %(max)d): "
                "it was cut. The full text: %(text)s",
                length=len(description),
                max=limit,
                text=description,
            )
        )
    rec.create_only.update(
        {
            "service_fr": service_fr,
            "service_en": service_en,
            "purposes": [(french, english)],
            "shown_on_policy": False,
            "storage_kind": "http_cookie",
            "notes": str(
                _l(
                    "Imported from the Open Cookie Database (ID %(id)s). The French purpose is the English "
                    "text marked [EN]: translate it, check the cookie, then show it on the policy.",
                    id=ocd_id,
                )
            ),
        }
    )
    rec.merge_flag = _l(
        "Also in the Open Cookie Database at %(where)s (ID %(id)s, %(platform)s, data controller %(controller)s, "
        "retention “%(retention)s”): its description was added as a purpose; check which provider and "
        "lifetime apply.",
        where=where.label,
        id=ocd_id,
        platform=platform[:80] or "?",
        controller=controller[:120] or "?",
        retention=" ".join((retention or "").split())[:80],
    )
    return rec
