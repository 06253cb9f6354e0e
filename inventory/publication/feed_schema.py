"""The JSON Schema of the policy feed (/api/v1/policy.json and the others): a published
version's document, derived from the kinds' public fields as ``document.public_fields`` writes
them, with the version's head. The committed copy is
inventory/schema/policy-feed-v1.schema.json (``python -m inventory.publication.feed_schema``
rewrites it); tests validate every feed against it."""

import json
from pathlib import Path

from rules import lifetime as lifetimes
from rules.consent import MAX_CONSENT_MONTHS
from rules.language import LANGUAGES

from ..kinds import CATEGORY, COOKIE, PROVIDER, PURPOSE, SETTINGS, Lifetime, Purposes, Reference, Text
from .document import FORMAT_NAME, FORMAT_VERSION

PATH = Path(__file__).resolve().parents[1] / "schema" / f"policy-feed-v{FORMAT_VERSION}.schema.json"

PLAIN_TEXT = "Plain text, as the editors typed it: escape it before putting it in HTML."
_ID = {"type": "integer", "minimum": 1, "description": "Stable: never changes, never reused."}


def _texts(description=PLAIN_TEXT, optional=False):
    french = {"type": ["string", "null"]} if optional else {"type": "string"}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["fr", "en"],
        "properties": {"fr": french, "en": {"type": ["string", "null"]}},
        "description": description + " English is null where not translated: show the French.",
    }


def _field(kind, field):
    if field.name.endswith("_fr"):
        optional = kind.model.__table__.c[field.name].nullable
        return field.name.removesuffix("_fr"), _texts(optional=optional)
    if isinstance(field.value, Purposes):
        return field.name, {"type": "array", "items": _texts()}
    if isinstance(field.value, Lifetime):
        return field.name, {
            "type": "object",
            "additionalProperties": False,
            "required": ["unit", "amount", "fr", "en"],
            "properties": {
                "unit": {"enum": list(lifetimes.UNITS)},
                "amount": {"type": ["integer", "null"]},
                "fr": {"type": "string"},
                "en": {"type": "string"},
            },
            "description": "How long the cookie lives, and the same in words in each language.",
        }
    if isinstance(field.value, Reference):
        return field.name, {"type": "string"}
    nullable = kind.model.__table__.c[field.name].nullable if isinstance(field.value, Text) else None
    schema = field.schema(nullable)
    if isinstance(field.value, Text) and "format" not in schema and "pattern" not in schema:
        schema["description"] = (schema.get("description", "") + " " + PLAIN_TEXT).strip()
    return field.name, schema


def _record(kind, extra=None):
    fields = [f for f in kind.fields if f.public and not f.name.endswith("_en")]
    properties = {**(extra or {}), **dict(_field(kind, f) for f in fields)}
    later = {f.name.removesuffix("_fr") for f in fields if not f.in_every_version}
    for name in later:
        properties[name]["description"] = (
            properties[name].get("description", "") + " Absent from versions published before it existed."
        ).strip()
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in later],
        "properties": properties,
    }


def feed_schema():
    cookie = _record(
        COOKIE,
        {
            "id": _ID,
            "provider_id": {"type": "integer", "description": "The provider's id in `providers`."},
            "purpose_ids": {"type": "array", "items": {"type": "integer"}, "description": "Ids in `purposes`."},
        },
    )
    purpose = _record(PURPOSE, {"id": _ID})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PATH.name,
        "title": f"Cookie policy feed, version {FORMAT_VERSION}",
        "description": (
            "A published version of the cookie policy: what visitors are shown, in French and "
            "English. `sha256` is the digest of the version's document (every key here but the "
            "head: policy_version, published_at, sha256, policy_urls, consent_duration, site_host, revision, "
            "last_updated) as canonical JSON. "
            "Every text is plain text: escape it before putting it in HTML."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["policy_version", "published_at", "sha256", "policy_urls", "consent_duration", "site_host"]
        + ["format", "version", "site", "publisher"]
        + ["categories", "providers", "purposes", "cookies"],
        "properties": {
            "policy_version": {"type": "integer", "minimum": 1, "description": "The version's number."},
            "published_at": {"type": "string", "format": "date-time"},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "policy_urls": {
                "type": "object",
                "additionalProperties": False,
                "required": list(LANGUAGES),
                "properties": {lang: {"type": "string", "format": "uri"} for lang in LANGUAGES},
                "description": "The current policy's page in each language: link to it from the site.",
            },
            "consent_duration": {
                "type": "object",
                "additionalProperties": False,
                "required": ["months", "days"],
                "properties": {
                    "months": {"type": "integer", "minimum": 1, "maximum": MAX_CONSENT_MONTHS},
                    "days": {"type": "integer", "minimum": 1},
                },
                "description": "How long a visitor's choice is kept before they are asked again; "
                "days = months × 365 / 12, rounded down, for the consent managers that count days.",
            },
            "site_host": {
                "type": ["string", "null"],
                "description": "The host of the publisher's site_url: a cookie whose domain is empty is set there.",
            },
            "revision": {"type": "integer", "description": "inventory.json only: the version's number."},
            "last_updated": {"type": "string", "format": "date-time", "description": "inventory.json only."},
            "format": {"const": FORMAT_NAME},
            "version": {"const": FORMAT_VERSION},
            "site": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id"],
                "properties": {"id": {"type": ["integer", "null"]}},
            },
            "publisher": {"oneOf": [{"type": "null"}, _record(SETTINGS)]},
            "categories": {"type": "array", "items": _record(CATEGORY)},
            "providers": {"type": "array", "items": _record(PROVIDER, {"id": _ID})},
            "purposes": {"type": "array", "items": purpose},
            "cookies": {"type": "array", "items": cookie},
        },
    }


def schema_text():
    return json.dumps(feed_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    PATH.write_text(schema_text(), encoding="utf-8")
    print(f"{PATH} written.")
