"""Our JSON export (the backup) read into ``Record``s, section by section from ``KINDS``."""

import json

from flask_babel import lazy_gettext as _l

from ..export import FORMAT_NAME, FORMAT_VERSION
from ..kinds import BY_SECTION, KINDS, Lifetime, Purposes, Timestamp
from .report import MISSING, Problem, Record, Where
from .sources import refuse


def read_json(text, where):
    """A Record per entry of each section (the settings object is one entry)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        refuse(
            Where(where.file, row=error.lineno),
            _l(
                "The JSON is malformed at line %(line)d, column %(col)d: %(error)s.",
                line=error.lineno,
                col=error.colno,
                error=error.msg,
            ),
        )
    except RecursionError:
        refuse(where, _l("The JSON is nested too deeply."))
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        refuse(
            where, _l("This JSON is not a cookie inventory export (its “format” is not “%(name)s”).", name=FORMAT_NAME)
        )
    if document.get("version") != FORMAT_VERSION:
        refuse(
            where,
            _l(
                "Unsupported inventory version %(found)s: this application reads version %(version)d.",
                found=repr(document.get("version"))[:20],
                version=FORMAT_VERSION,
            ),
        )
    unknown = sorted(set(document) - {"format", "version", *BY_SECTION})
    if unknown:
        refuse(where, _l("Unknown section(s): %(names)s.", names=", ".join(unknown)[:200]))
    records = []
    for kind in KINDS.values():
        items = document.get(kind.section)
        if items is None:
            continue
        if kind.single:
            items = [items]
        elif not isinstance(items, list):
            refuse(where, _l("“%(section)s” must be a list.", section=kind.section))
        for index, item in enumerate(items, 1):
            records.append(_record(kind, index, item, where))
    return records


def _record(kind, index, item, where):
    where = Where(where.file, row=index, section=kind.section)
    rec = Record(kind=kind.name, where=where)
    if not isinstance(item, dict):
        rec.problems.append(Problem(where, _l("Each entry must be a JSON object.")))
        return rec
    fields = kind.json_fields
    for key in sorted(set(item) - {f.name for f in fields}):
        rec.problems.append(Problem(where, _l("Unknown field."), key))
    for f in kind.required_fields:
        if f.json and f.name not in item:
            rec.problems.append(Problem(where, _l("This field is required."), f.name))
    for f in fields:
        if f.name in item:
            _read(rec, f, item[f.name])
    return rec


def _read(rec, f, value):
    if isinstance(f.value, Timestamp):
        rec.create_only[f.name] = value
    elif isinstance(f.value, Lifetime):
        if not isinstance(value, dict) or set(value) - {"unit", "amount"}:
            rec.problems.append(Problem(rec.where, _l('Write the lifetime as {"unit": …, "amount": …}.'), f.name))
        else:
            unit, amount = f.stored
            rec.values[unit], rec.values[amount] = value.get("unit"), value.get("amount")
            rec.columns.update({unit: f.name, amount: f.name})
    elif isinstance(f.value, Purposes):
        if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
            rec.problems.append(Problem(rec.where, _l("Write the purposes as a list of their French texts."), f.name))
        else:
            rec.values[f.name] = [(text, MISSING) for text in value]
    else:
        rec.values[f.name] = value
