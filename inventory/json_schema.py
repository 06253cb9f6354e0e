"""The JSON Schema of the JSON export, generated from ``KINDS``; the committed copy is
inventory/schema/inventory-v1.schema.json (``python -m inventory.json_schema`` rewrites it)."""

import json
from pathlib import Path

from .export import FORMAT_NAME, FORMAT_VERSION
from .kinds import KINDS, Text

PATH = Path(__file__).resolve().parent / "schema" / f"inventory-v{FORMAT_VERSION}.schema.json"

_DESCRIPTION = (
    "The complete cookie inventory as written by `flask inventory export --format json` "
    "(inventory/export.py) and read back by `flask inventory import` (inventory/importing/). "
    "One object per line, keys sorted, lists ordered (categories by position then key, providers "
    "by name, purposes by French text, cookies by name then domain, by code point): the same "
    "inventory always gives the same bytes. Objects are matched on import by their natural key: "
    "category key, provider name, purpose French text, cookie name and domain. Texts are trimmed; "
    "only multi-line fields (descriptions, purposes, notes, address) may hold line breaks."
)


def _object(kind):
    columns = kind.model.__table__.c
    properties = {}
    for f in kind.json_fields:
        nullable = columns[f.name].nullable if isinstance(f.value, Text) else None
        properties[f.name] = f.schema(nullable)
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in kind.json_fields if f.required],
        "properties": properties,
    }


def _section(kind):
    if kind.single:
        schema = {"oneOf": [{"type": "null"}, _object(kind)]}
    else:
        schema = {"type": "array", "items": _object(kind)}
    return ({"description": kind.description} if kind.description else {}) | schema


def inventory_schema():
    """The JSON Schema (draft 2020-12) of ``export_json``'s document, as a dict."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PATH.name,
        "title": f"Cookie inventory, version {FORMAT_VERSION}",
        "description": _DESCRIPTION,
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "version", *(kind.section for kind in KINDS.values())],
        "properties": {
            "format": {"const": FORMAT_NAME},
            "version": {"const": FORMAT_VERSION},
            **{kind.section: _section(kind) for kind in KINDS.values()},
        },
    }


def schema_text():
    """The schema as the committed file holds it."""
    return json.dumps(inventory_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    PATH.write_text(schema_text(), encoding="utf-8")
    print(f"{PATH} written.")
