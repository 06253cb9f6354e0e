"""A Record's raw values read into the inventory's types, field by field from ``KINDS``."""

import math
import re

from flask_babel import lazy_gettext as _l

from rules import lifetime as lifetimes
from rules.cells import cell_text
from rules.validation import InventoryError

from ..kinds import Integer, Lifetime, Purposes, Reference, Timestamp
from .report import LongNumber, Problem

# The database's Integer columns are 32-bit signed (PostgreSQL's integer; SQLite would take
# more, PostgreSQL refuses it on confirm): the plan refuses what the column cannot hold.
INTEGER_RANGE = (-(2**31), 2**31 - 1)
MAX_DIGITS = 18
_WHOLE_NUMBER = re.compile(r"\s*-?[0-9]+\s*")
_DIGITS = _l("This number has too many digits (at most %(max)d).", max=MAX_DIGITS)


def _integer(f, model, raw):
    """An Integer field's value, within ``INTEGER_RANGE``: the text of a number is checked
    before Python's int() sees it ("--5", "²" and 5,000 digits make int() raise)."""
    if isinstance(raw, LongNumber):
        raise InventoryError(_DIGITS)
    if isinstance(raw, str) and raw.strip():
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise InventoryError(_l("Write a whole number."))
        if len(raw.strip().lstrip("-")) > MAX_DIGITS:
            raise InventoryError(_DIGITS)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise InventoryError(_l("Write a whole number."))
    value = f.read(model, raw)
    low, high = INTEGER_RANGE
    if value is not None and not low <= value <= high:
        raise InventoryError(
            _l("Write a whole number between %(min)d and %(max)d.", min=low, max=high),
        )
    return value


def plain_fields(kind):
    """{stored name: Field} of the fields read by their own value type (text, yes/no, number,
    choice); references, purposes, lifetimes and timestamps are read apart."""
    return {f.name: f for f in kind.fields if not isinstance(f.value, (Reference, Purposes, Lifetime, Timestamp))}


def read_plain(kind, rec, source):
    """(values, problems): each plain field of ``source`` ({stored name: raw}) read; other
    names are left out."""
    fields = plain_fields(kind)
    values, problems = {}, []
    for name, raw in source.items():
        f = fields.get(name)
        if f is None:
            continue
        try:
            if isinstance(f.value, Integer):
                values[name] = _integer(f, kind.model, raw)
            elif isinstance(raw, LongNumber):
                raise InventoryError(_DIGITS)
            else:
                values[name] = f.read(kind.model, raw)
        except InventoryError as error:
            problems.append(Problem(rec.where, error.message, rec.column(name)))
    return values, problems


def read_restore(kind, rec, problems):
    """{timestamp name: naive UTC datetime or None} of the timestamps the row gives (restored
    when the import creates the record); a problem per unreadable one goes to ``problems``."""
    restore = {}
    for f in kind.fields:
        if isinstance(f.value, Timestamp) and f.name in rec.create_only:
            try:
                restore[f.name] = f.read(kind.model, rec.create_only[f.name])
            except InventoryError as error:
                problems.append(Problem(rec.where, error.message, f.name))
            except (OverflowError, ValueError):
                # A time zone that moves the moment out of the calendar (year 1 to 9999).
                problems.append(Problem(rec.where, _l("Write a date such as 2025-01-31T12:00:00Z."), f.name))
    return restore


def read_lifetime(f, rec, values, problems):
    """Put the lifetime's (unit, amount) into ``values`` when the row gives either."""
    unit_name, amount_name = f.stored
    if unit_name not in rec.values and amount_name not in rec.values:
        return
    try:
        unit = cell_text(rec.values.get(unit_name)).strip()
        amount = rec.values.get(amount_name)
        if isinstance(amount, str):
            amount = amount.strip()
        if isinstance(amount, LongNumber) or (isinstance(amount, str) and len(amount) > MAX_DIGITS):
            raise InventoryError(_DIGITS, field=amount_name)
        if isinstance(amount, float) and not math.isfinite(amount):
            raise InventoryError(_l("The lifetime must be a whole number."), field=amount_name)
        if isinstance(amount, float) and amount.is_integer():
            amount = int(amount)
        if unit == lifetimes.SESSION and amount in ("", None):
            amount = None
        values[unit_name], values[amount_name] = lifetimes.check(unit, amount)
    except InventoryError as error:
        problems.append(Problem(rec.where, error.message, rec.column(error.field or unit_name)))


def display_key(kind, values, fallback):
    """How a change names its record for people: “name” (domain) for a cookie, else its key."""
    if kind.name == "cookie" and values.get("name"):
        return f"“{values['name']}” ({values['domain']})" if values.get("domain") else f"“{values['name']}”"
    for name in ("key", "name", "description_fr", "site_name"):
        if values.get(name):
            text = str(values[name])
            return "“" + (text if len(text) <= 60 else text[:59] + "…") + "”"
    return fallback
