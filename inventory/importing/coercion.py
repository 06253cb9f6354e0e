"""A Record's raw values read into the inventory's types, field by field from ``KINDS``."""

from rules import lifetime as lifetimes
from rules.cells import cell_text
from rules.validation import InventoryError

from ..kinds import Lifetime, Purposes, Reference, Timestamp
from .report import Problem


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
