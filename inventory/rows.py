"""The inventory's records read for the exports (and the importer's comparison), and turned
into spreadsheet cells or JSON objects field by field from ``KINDS``."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Query

from models import Category, Cookie, Purpose, cookie_purposes, db
from models.inventory import PARTY_LABELS, STORAGE_LABELS
from rules import legal
from rules.cells import timestamp, yes_no
from rules.language import LANGUAGES, force_language
from rules.lifetime import UNIT_LABELS

from .kinds import COOKIE, KINDS, SHEETS, Boolean, Choice, Lifetime, Purposes, Reference, Text, Timestamp

# Between purposes in one CSV/XLSX cell. A purpose whose text contains it cannot travel
# through CSV or XLSX (the JSON export carries it exactly).
PURPOSE_SEPARATOR = " | "
WINDOW = 1000

_DANGEROUS = re.compile(r"^'*[=+\-@\t\r]")
# What a spreadsheet would read as the start of a formula (or split on), unneutralised.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value):
    """A text cell that no spreadsheet evaluates: a leading apostrophe before = + - @ tab CR
    (OWASP "CSV Injection"). Values already starting with apostrophes before such a character
    get one more, so that ``unneutralise`` is an exact inverse."""
    if isinstance(value, str) and _DANGEROUS.match(value):
        return "'" + value
    return value


def unneutralise(value):
    if isinstance(value, str) and _NEUTRALISED.match(value):
        return value[1:]
    return value


# CSV: a spreadsheet set to the other list separator splits a cell at its "," or ";" (and
# a line break may end its row), so what follows any of them starts a cell too, after the
# quotes a reader strips. Each such start gets the apostrophe, exactly as the first one.
_SEGMENT_DANGEROUS = re.compile(r"(?:^|(?<=[,;\r\n]))(\"*)(?='*[=+\-@\t\r])")
_SEGMENT_NEUTRALISED = re.compile(r"(?:^|(?<=[,;\r\n]))(\"*)'(?='*[=+\-@\t\r])")


def neutralise_csv(value):
    """``neutralise`` at the start of the text and after every separator or line break."""
    return _SEGMENT_DANGEROUS.sub(r"\1'", value) if isinstance(value, str) else value


def unneutralise_csv(value):
    """The exact inverse of ``neutralise_csv``."""
    return _SEGMENT_NEUTRALISED.sub(r"\1", value) if isinstance(value, str) else value


# --- Reading ---------------------------------------------------------------------


def binary(column, session):
    """Sort by code point on every backend: PostgreSQL's default collation depends on the locale."""
    if session.get_bind().dialect.name == "postgresql":
        return column.collate("C")
    return column


def _order(kind, session):
    """The ORDER BY of a kind's listing: its ``listing_order``, texts by code point."""
    return [
        binary(getattr(kind.model, name), session)
        if isinstance(kind.field(name).value, Text)
        else getattr(kind.model, name)
        for name in kind.listing_order
    ]


def _cookie_ids(query):
    """The ids selected by a ``select(Cookie)`` or a ``Query`` of cookies, as a subquery."""
    if isinstance(query, Query):
        return query.with_entities(Cookie.id).order_by(None).subquery()
    return query.with_only_columns(Cookie.id).order_by(None).subquery()


def _cookie_columns():
    """The select list of a cookie's fields: a reference by the named record's key."""
    columns, joins = [Cookie.id], []
    for f in COOKIE.fields:
        if isinstance(f.value, Reference):
            target = KINDS[f.value.kind]
            columns.append(getattr(target.model, target.key[0]).label(f.name))
            joins.append((target.model, getattr(Cookie, f"{f.name}_id") == target.model.id))
        elif not isinstance(f.value, Purposes):
            columns += [getattr(Cookie, name) for name in f.stored]
    return columns, joins


def cookie_rows(query=None, session=None):
    """Each cookie as a dict keyed by ``COOKIE``'s stored names plus ``id``: references by
    their key (provider name, category key), ``purposes`` as (fr, en) pairs sorted by French
    text; ordered by name then domain, read ``WINDOW`` rows at a time."""
    session = session or db.session
    columns, joins = _cookie_columns()
    stmt = select(*columns)
    for model, condition in joins:
        stmt = stmt.join(model, condition)
    stmt = stmt.order_by(*_order(COOKIE, session), Cookie.id)
    if query is not None:
        stmt = stmt.where(Cookie.id.in_(select(_cookie_ids(query))))
    result = session.execute(stmt.execution_options(yield_per=WINDOW))
    for window in result.partitions():
        ids = [row.id for row in window]
        purposes = {}
        for cookie_id, fr, en in session.execute(
            select(cookie_purposes.c.cookie_id, Purpose.description_fr, Purpose.description_en)
            .join(Purpose, Purpose.id == cookie_purposes.c.purpose_id)
            .where(cookie_purposes.c.cookie_id.in_(ids))
        ):
            purposes.setdefault(cookie_id, []).append((fr, en))
        for row in window:
            cookie = row._asdict()
            cookie["purposes"] = sorted(purposes.get(cookie["id"], []))
            yield cookie


def iter_cookies(query=None, session=None):
    """Like ``cookie_rows``, without the ``id``."""
    for cookie in cookie_rows(query, session):
        del cookie["id"]
        yield cookie


def record_dict(kind, obj):
    """A record (not a cookie) as a dict of its kind's stored names, plus ``id``."""
    return {name: getattr(obj, name) for name in ("id", *kind.stored_names)}


def records(kind, session):
    for obj in session.scalars(select(kind.model).order_by(*_order(kind, session))):
        yield record_dict(kind, obj)


def _cells(f, record, describe):
    """The spreadsheet cells of one field: {column: text or number}."""
    value = f.value
    if isinstance(value, Lifetime):
        unit, amount = (record[name] for name in f.stored)
        fr, en, unit_column, amount_column = f.columns
        return {
            fr: describe(unit, amount, "fr"),
            en: describe(unit, amount, "en"),
            unit_column: unit,
            amount_column: amount if amount is not None else "",
        }
    if isinstance(value, Purposes):
        pairs = record[f.name]
        fr, en = f.columns
        return {fr: PURPOSE_SEPARATOR.join(p for p, _ in pairs), en: PURPOSE_SEPARATOR.join(e or "" for _, e in pairs)}
    raw = record[f.name]
    if isinstance(value, Boolean):
        return {f.name: yes_no(raw)}
    if isinstance(value, Timestamp):
        return {f.name: timestamp(raw) or ""}
    return {f.name: "" if raw is None else raw}


def tabular_row(kind, record, describe):
    """A record's CSV / XLSX cells, keyed by ``kind.columns`` (without the cookie count)."""
    row = {}
    for f in kind.fields:
        if f.columns:
            row.update(_cells(f, record, describe))
    return row


def json_dict(kind, record):
    """A record's JSON object: every JSON field of ``kind``."""
    item = {}
    for f in kind.json_fields:
        if isinstance(f.value, Lifetime):
            unit, amount = (record[name] for name in f.stored)
            item[f.name] = {"unit": unit, "amount": amount}
        elif isinstance(f.value, Purposes):
            item[f.name] = [fr for fr, _ in record[f.name]]
        elif isinstance(f.value, Boolean):
            item[f.name] = bool(record[f.name])
        elif isinstance(f.value, Timestamp):
            item[f.name] = timestamp(record[f.name])
        else:
            item[f.name] = record[f.name]
    return item


# --- For people: headers and values in one language ------------------------------------------


# The columns of a field that has several, from its label.
_SUFFIX_LABELS = {
    "_fr": _l("%(field)s (French)"),
    "_en": _l("%(field)s (English)"),
    "_unit": _l("%(field)s: unit"),
    "_amount": _l("%(field)s: amount"),
}
# The same untranslated: what a language's export wrote before its catalog had them (read back).
_SUFFIX_MSGIDS = {
    "_fr": "%(field)s (French)",
    "_en": "%(field)s (English)",
    "_unit": "%(field)s: unit",
    "_amount": "%(field)s: amount",
}
# The labels of a Choice field's values, by field name.
# "" (not stated) stays an empty cell: it has no word to be read back from.
CHOICE_LABELS = {
    "party": PARTY_LABELS,
    "storage_kind": STORAGE_LABELS,
    "legal_basis": {k: v for k, v in legal.LEGAL_BASIS_LABELS.items() if k},
    "role": {k: v for k, v in legal.PROVIDER_ROLE_LABELS.items() if k},
    "transfer_safeguard": {k: v for k, v in legal.SAFEGUARD_LABELS.items() if k},
}
SHEET_LABELS = {
    "cookie": _l("Cookies"),
    "provider": _l("Providers"),
    "category": _l("Categories"),
    "purpose": _l("Purposes"),
}
_COUNT_LABEL = _l("Cookies")


def column_label(kind, column, untranslated_suffix=False):
    """The label of one of ``kind``'s CSV / XLSX columns, from its field's label (lazy for a
    column of its own, else in the current language)."""
    if column == "cookies":
        return _COUNT_LABEL
    for f in kind.fields:
        if column in f.columns:
            if len(f.columns) == 1:
                return f.label
            suffixes = _SUFFIX_MSGIDS if untranslated_suffix else _SUFFIX_LABELS
            return suffixes[column[len(f.name) :]] % {"field": f.label}
    raise KeyError(column)


def fold(text):
    """A header or value as compared when read back: case, accents' composition and
    spacing (non-breaking spaces, runs of blanks, a space before a colon) set aside."""
    text = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").replace("\u202f", " ")
    text = " ".join(text.split()).replace(" :", ":").replace("\u2019", "'")
    return text.casefold()


def category_names(session, lang):
    """{category key: its name in ``lang``, the French one when it has none}."""
    rows = session.execute(select(Category.key, Category.name_fr, Category.name_en)).all()
    names = {key: (name_en or name_fr) if lang == "en" else name_fr for key, name_fr, name_en in rows}
    # A name two categories share, or that is another category's key, could not be read
    # back: such a category keeps its key.
    taken = [fold(name) for name in names.values()] + [fold(key) for key in names]
    return {
        key: name if taken.count(fold(name)) == 1 + (fold(name) == fold(key)) else key for key, name in names.items()
    }


class Readable:
    """The headers and the coded values (yes/no, party, storage kind, lifetime unit,
    category) of the spreadsheets in ``lang``, for people; ``values`` turns a row's."""

    def __init__(self, lang, session=None, categories=True):
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
        self.lang = lang
        with force_language(lang):
            self.headers = {kind.name: {c: str(column_label(kind, c)) for c in kind.columns} for kind in SHEETS}
            self.untranslated_headers = {
                kind.name: {c: str(column_label(kind, c, untranslated_suffix=True)) for c in kind.columns}
                for kind in SHEETS
            }
            self.sheets = {kind.name: str(SHEET_LABELS[kind.name]) for kind in SHEETS}
            self.yes, self.no = str(_l("Yes")), str(_l("No"))
            self.choices = {
                name: {v: str(label) for v, label in labels.items()} for name, labels in CHOICE_LABELS.items()
            }
            self.units = {unit: str(label) for unit, label in UNIT_LABELS.items()}
        self.categories = category_names(session or db.session, lang) if categories else {}

    def header(self, kind):
        return [self.headers[kind.name][column] for column in kind.columns]

    def values(self, kind, row):
        """``row`` (a tabular row of ``kind``) with its coded values in words."""
        for f in kind.tabular_fields:
            if isinstance(f.value, Boolean):
                row[f.name] = self.yes if row[f.name] == yes_no(True) else self.no
            elif isinstance(f.value, Choice) and f.name in self.choices:
                row[f.name] = self.choices[f.name].get(row[f.name], row[f.name])
            elif isinstance(f.value, Lifetime):
                unit = f"{f.name}_unit"
                row[unit] = self.units.get(row[unit], row[unit])
            elif isinstance(f.value, Reference) and f.value.kind == "category":
                row[f.name] = self.categories.get(row[f.name], row[f.name])
        return row
