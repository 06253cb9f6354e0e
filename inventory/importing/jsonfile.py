"""Our JSON export (the backup) read into ``Record``s, section by section from ``KINDS``."""

import json

from flask_babel import lazy_gettext as _l

from ..export import FORMAT_NAME, FORMAT_VERSION
from ..kinds import BY_SECTION, KINDS, Lifetime, Purposes, Timestamp
from .coercion import MAX_DIGITS
from .report import MISSING, SURROGATE, LongNumber, Problem, Record, Where, printable, storable
from .sources import Limits, refuse


class _TooMany(Exception):
    pass


class _Counted(json.JSONDecoder):
    """json's own C parser, with every object and number counted as it is made and the
    parse stopped past ``limit``: a 16 MB file of ``{}`` would otherwise be 5 million dicts
    in memory before any check. Integers longer than ``MAX_DIGITS`` stay text."""

    def __init__(self, limit):
        self.items = 0
        self.limit = limit
        super().__init__(object_pairs_hook=self._object, parse_int=self._int, parse_float=self._float)

    def _count(self):
        self.items += 1
        if self.items > self.limit:
            raise _TooMany

    def _object(self, pairs):
        self._count()
        return dict(pairs)

    def _int(self, text):
        self._count()
        return LongNumber(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)

    def _float(self, text):
        self._count()
        return float(text)


def read_json(text, where, limits=None):
    """A Record per entry of each section (the settings object is one entry)."""
    limits = limits or Limits()
    if text.count("[") > limits.max_json_lists:
        # Lists have no hook in json's C parser: counted in the text (a "[" in a string counts too).
        refuse(where, limits.too_many_rows())
    try:
        document = _Counted(limits.max_json_items).decode(text)
    except _TooMany:
        refuse(where, limits.too_many_rows())
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
        refuse(where, _l("Unknown section(s): %(names)s.", names=printable(", ".join(unknown)[:200])))
    entries = sum(
        len(document[kind.section]) for kind in KINDS.values() if isinstance(document.get(kind.section), list)
    )
    if entries > limits.max_rows:
        refuse(where, limits.too_many_rows())
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
        rec.problems.append(Problem(where, _l("Unknown field."), printable(key)[:100]))
    for f in kind.required_fields:
        if f.json and f.name not in item:
            rec.problems.append(Problem(where, _l("This field is required."), f.name))
    for f in fields:
        if f.name in item:
            if _storable(item[f.name]):
                _read(rec, f, item[f.name])
            else:
                rec.problems.append(Problem(where, SURROGATE, f.name))
    return rec


def _storable(value):
    """False when a text in ``value`` (or in its lists and objects) holds a lone surrogate."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return all(_storable(part) for part in value)
    if isinstance(value, dict):
        return all(storable(key) and _storable(part) for key, part in value.items())
    return True


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
        if not isinstance(value, list) or not all(type(text) is str for text in value):
            rec.problems.append(Problem(rec.where, _l("Write the purposes as a list of their French texts."), f.name))
        else:
            rec.values[f.name] = [(text, MISSING) for text in value]
    else:
        rec.values[f.name] = value
