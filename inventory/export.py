"""The inventory going out: CSV (plain and Excel flavoured), XLSX and JSON.

One serialiser for the back office, the CLI and the API. Cookie lists are read in
windows (``yield_per``) and written as they are read, so memory stays flat however
many cookies there are. Every function takes an optional ``query``: a ``select(Cookie)``
or a legacy ``Query`` of cookies with any filters, joins or search applied (Flask-Admin's
current list); only those cookies are exported, always in the same order.

Cells that a spreadsheet would evaluate (starting with = + - @, tab or CR) get a leading
apostrophe, as OWASP "CSV Injection" recommends; ``unneutralise`` reverses it exactly,
so what an export neutralised, an import restores.
"""
import csv
import io
import json
import re
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Query

from models import Category, Cookie, Provider, Purpose, SiteSettings, cookie_purposes, db

from rules import lifetime as lifetimes

FORMAT_NAME = "cookie-inventory"
FORMAT_VERSION = 1

# Between purposes in one CSV/XLSX cell. A purpose whose text contains it cannot travel
# through CSV or XLSX (the JSON export carries it exactly).
PURPOSE_SEPARATOR = " | "

COOKIE_COLUMNS = (
    "name",
    "domain",
    "is_pattern",
    "party",
    "storage_kind",
    "category",
    "provider",
    "service_fr",
    "service_en",
    "purposes_fr",
    "purposes_en",
    "lifetime_fr",
    "lifetime_en",
    "lifetime_unit",
    "lifetime_amount",
    "shown_on_policy",
    "notes",
    "updated_at",
)
# Columns written for people; imports recompute them from the machine columns.
DERIVED_COOKIE_COLUMNS = ("lifetime_fr", "lifetime_en", "updated_at")

PROVIDER_COLUMNS = ("name", "website", "privacy_policy_url", "country", "cookies", "updated_at")
CATEGORY_COLUMNS = (
    "key",
    "position",
    "consent_required",
    "name_fr",
    "name_en",
    "description_fr",
    "description_en",
    "cookies",
    "updated_at",
)
PURPOSE_COLUMNS = ("description_fr", "description_en", "cookies", "updated_at")

WINDOW = 1000

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-excel": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
EXTENSIONS = {"csv": "csv", "csv-excel": "csv", "xlsx": "xlsx", "json": "json"}
FORMATS = tuple(MEDIA_TYPES)

_DANGEROUS = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value):
    """A text cell that no spreadsheet evaluates: a leading apostrophe before = + - @ tab CR.

    Values already starting with apostrophes before such a character get one more, so that
    ``unneutralise`` is an exact inverse.
    """
    if isinstance(value, str) and _DANGEROUS.match(value):
        return "'" + value
    return value


def unneutralise(value):
    if isinstance(value, str) and _NEUTRALISED.match(value):
        return value[1:]
    return value


def yes_no(flag):
    return "yes" if flag else "no"


def timestamp(moment):
    """ISO 8601 in UTC, to the second: the database keeps naive UTC."""
    if moment is None:
        return None
    return moment.replace(microsecond=0).isoformat() + "Z"


def filename(fmt, now=None):
    now = now or datetime.now()
    return f"cookie-inventory-{now:%Y-%m-%d}.{EXTENSIONS[fmt]}"


# --- Reading the cookies ---------------------------------------------------------------------


def _binary(column, session):
    """Sort by code point on every backend: PostgreSQL's default collation depends on the locale."""
    if session.get_bind().dialect.name == "postgresql":
        return column.collate("C")
    return column


def _cookie_ids(query):
    """The ids selected by a ``select(Cookie)`` or a ``Query`` of cookies, as a subquery."""
    if isinstance(query, Query):
        return query.with_entities(Cookie.id).order_by(None).subquery()
    return query.with_only_columns(Cookie.id).order_by(None).subquery()


_COOKIE_FIELDS = (
    Cookie.id,
    Cookie.name,
    Cookie.domain,
    Cookie.is_pattern,
    Cookie.party,
    Cookie.storage_kind,
    Cookie.service_fr,
    Cookie.service_en,
    Cookie.lifetime_unit,
    Cookie.lifetime_amount,
    Cookie.shown_on_policy,
    Cookie.is_sample,
    Cookie.notes,
    Cookie.created_at,
    Cookie.updated_at,
    Category.key.label("category"),
    Provider.name.label("provider"),
)


def iter_cookies(query=None, session=None):
    """Each cookie as a dict (provider name, category key, purposes as (fr, en) pairs sorted by
    French text), ordered by name then domain, read ``WINDOW`` rows at a time."""
    session = session or db.session
    stmt = (
        select(*_COOKIE_FIELDS)
        .join(Category, Cookie.category_id == Category.id)
        .join(Provider, Cookie.provider_id == Provider.id)
        .order_by(_binary(Cookie.name, session), _binary(Cookie.domain, session), Cookie.id)
    )
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
            cookie["purposes"] = sorted(purposes.get(cookie.pop("id"), []))
            yield cookie


class _Lifetimes:
    """Readable lifetimes in French and English, computed once per (unit, amount)."""

    def __init__(self):
        self._cache = {}

    def __call__(self, unit, amount, lang):
        key = (unit, amount, lang)
        if key not in self._cache:
            with force_locale(lang):
                self._cache[key] = str(lifetimes.describe(unit, amount))
        return self._cache[key]


def cookie_row(cookie, describe):
    """The export's columns for one cookie (see COOKIE_COLUMNS), as text or numbers."""
    return {
        "name": cookie["name"],
        "domain": cookie["domain"] or "",
        "is_pattern": yes_no(cookie["is_pattern"]),
        "party": cookie["party"],
        "storage_kind": cookie["storage_kind"],
        "category": cookie["category"],
        "provider": cookie["provider"],
        "service_fr": cookie["service_fr"],
        "service_en": cookie["service_en"] or "",
        "purposes_fr": PURPOSE_SEPARATOR.join(fr for fr, _ in cookie["purposes"]),
        "purposes_en": PURPOSE_SEPARATOR.join(en or "" for _, en in cookie["purposes"]),
        "lifetime_fr": describe(cookie["lifetime_unit"], cookie["lifetime_amount"], "fr"),
        "lifetime_en": describe(cookie["lifetime_unit"], cookie["lifetime_amount"], "en"),
        "lifetime_unit": cookie["lifetime_unit"],
        "lifetime_amount": cookie["lifetime_amount"] if cookie["lifetime_amount"] is not None else "",
        "shown_on_policy": yes_no(cookie["shown_on_policy"]),
        "notes": cookie["notes"] or "",
        "updated_at": timestamp(cookie["updated_at"]) or "",
    }


# --- CSV -------------------------------------------------------------------------------------


class _Buffer:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def take(self):
        text, self.parts = "".join(self.parts), []
        return text


def export_csv(query=None, *, excel=False, session=None):
    """The cookie list as CSV, yielded in UTF-8 chunks of about ``WINDOW`` rows.

    ``excel=True`` gives the variant French spreadsheets open directly: a BOM and ``;``.
    """
    buffer = _Buffer()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    describe = _Lifetimes()
    writer.writerow(COOKIE_COLUMNS)
    yield (("\ufeff" if excel else "") + buffer.take()).encode("utf-8")
    for count, cookie in enumerate(iter_cookies(query, session), 1):
        row = cookie_row(cookie, describe)
        writer.writerow([neutralise(row[column]) for column in COOKIE_COLUMNS])
        if count % WINDOW == 0:
            yield buffer.take().encode("utf-8")
    rest = buffer.take()
    if rest:
        yield rest.encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------------

_WIDTHS = {
    "name": 28,
    "domain": 24,
    "provider": 22,
    "service_fr": 36,
    "service_en": 36,
    "purposes_fr": 60,
    "purposes_en": 60,
    "description_fr": 60,
    "description_en": 60,
    "name_fr": 30,
    "name_en": 30,
    "notes": 40,
    "website": 32,
    "privacy_policy_url": 40,
    "lifetime_fr": 14,
    "lifetime_en": 14,
    "updated_at": 21,
}


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


class _Sheet:
    """A write-only sheet with a bold frozen header, widths and filters, whose cells are
    always text or numbers (openpyxl would store a text starting with = as a formula)."""

    def __init__(self, workbook, title, columns):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._cell = WriteOnlyCell
        self.sheet = workbook.create_sheet(title)
        self.columns = columns
        self.rows = 1
        self.sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, 1):
            self.sheet.column_dimensions[_column_letter(index)].width = _WIDTHS.get(column, 16)
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = self._cell(self.sheet, value=column)
            cell.font = bold
            header.append(cell)
        self.sheet.append(header)

    def append(self, row):
        # Plain values, not a cell object each (which took most of an export's time):
        # openpyxl stores a str as text unless it starts with "=", which ``neutralise``
        # never leaves; should one, it gets a cell typed as text all the same.
        values = []
        for column in self.columns:
            value = row.get(column)
            if isinstance(value, bool):
                value = yes_no(value)
            if value is None or value == "":
                values.append(None)
                continue
            value = neutralise(value)
            if isinstance(value, str) and value.startswith("="):
                cell = self._cell(self.sheet, value=value)
                cell.data_type = "s"
                value = cell
            values.append(value)
        self.sheet.append(values)
        self.rows += 1

    def close(self):
        self.sheet.auto_filter.ref = f"A1:{_column_letter(len(self.columns))}{self.rows}"


def _cookie_counts(session, column):
    from sqlalchemy import func

    return dict(session.execute(select(column, func.count()).group_by(column)).all())


def export_xlsx(out, query=None, *, session=None):
    """Write the workbook (sheets Cookies, Providers, Categories, Purposes) to the binary file
    ``out``. openpyxl's write-only mode keeps rows on disk until the final zip is written.

    With ``query``, Cookies holds those cookies and the other sheets what they use.
    """
    from openpyxl import Workbook

    session = session or db.session
    workbook = Workbook(write_only=True)
    cookies = _Sheet(workbook, "Cookies", COOKIE_COLUMNS)
    describe = _Lifetimes()
    used_providers, used_categories, used_purposes = set(), set(), set()
    for cookie in iter_cookies(query, session):
        cookies.append(cookie_row(cookie, describe))
        if query is not None:
            used_providers.add(cookie["provider"])
            used_categories.add(cookie["category"])
            used_purposes.update(fr for fr, _ in cookie["purposes"])
    cookies.close()

    def wanted(values, key):
        return query is None or key in values

    per_provider = _cookie_counts(session, Cookie.provider_id)
    providers = _Sheet(workbook, "Providers", PROVIDER_COLUMNS)
    for provider in _providers(session):
        if wanted(used_providers, provider.name):
            row = _provider_dict(provider)
            row["cookies"] = per_provider.get(provider.id, 0)
            providers.append(row)
    providers.close()

    per_category = _cookie_counts(session, Cookie.category_id)
    categories = _Sheet(workbook, "Categories", CATEGORY_COLUMNS)
    for category in _categories(session):
        if wanted(used_categories, category.key):
            row = _category_dict(category)
            row["cookies"] = per_category.get(category.id, 0)
            categories.append(row)
    categories.close()

    per_purpose = _cookie_counts(session, cookie_purposes.c.purpose_id)
    purposes = _Sheet(workbook, "Purposes", PURPOSE_COLUMNS)
    for purpose in _purposes(session):
        if wanted(used_purposes, purpose.description_fr):
            row = _purpose_dict(purpose)
            row["cookies"] = per_purpose.get(purpose.id, 0)
            purposes.append(row)
    purposes.close()
    workbook.save(out)


def export_xlsx_bytes(query=None, *, session=None):
    out = io.BytesIO()
    export_xlsx(out, query, session=session)
    return out.getvalue()


# --- JSON ------------------------------------------------------------------------------------


def _providers(session):
    return session.scalars(select(Provider).order_by(_binary(Provider.name, session)))


def _categories(session):
    return session.scalars(select(Category).order_by(Category.position, _binary(Category.key, session)))


def _purposes(session):
    return session.scalars(select(Purpose).order_by(_binary(Purpose.description_fr, session)))


# The site's publisher details, as both the backup and the public API give them.
PUBLISHER_FIELDS = ("site_name", "site_url", "controller_name", "controller_address", "contact_email", "contact_url")


def publisher_dict(settings):
    return {name: getattr(settings, name) for name in PUBLISHER_FIELDS}


def _settings_dict(settings):
    return {
        **publisher_dict(settings),
        "is_sample": bool(settings.is_sample),
        "updated_at": timestamp(settings.updated_at),
    }


def _category_dict(category):
    return {
        "key": category.key,
        "position": category.position,
        "consent_required": bool(category.consent_required),
        "name_fr": category.name_fr,
        "name_en": category.name_en,
        "description_fr": category.description_fr,
        "description_en": category.description_en,
        "created_at": timestamp(category.created_at),
        "updated_at": timestamp(category.updated_at),
    }


def _provider_dict(provider):
    return {
        "name": provider.name,
        "website": provider.website,
        "privacy_policy_url": provider.privacy_policy_url,
        "country": provider.country,
        "created_at": timestamp(provider.created_at),
        "updated_at": timestamp(provider.updated_at),
    }


def _purpose_dict(purpose):
    return {
        "description_fr": purpose.description_fr,
        "description_en": purpose.description_en,
        "created_at": timestamp(purpose.created_at),
        "updated_at": timestamp(purpose.updated_at),
    }


def _cookie_dict(cookie):
    return {
        "name": cookie["name"],
        "domain": cookie["domain"] or "",
        "is_pattern": bool(cookie["is_pattern"]),
        "provider": cookie["provider"],
        "category": cookie["category"],
        "service_fr": cookie["service_fr"],
        "service_en": cookie["service_en"],
        "purposes": [fr for fr, _ in cookie["purposes"]],
        "lifetime": {"unit": cookie["lifetime_unit"], "amount": cookie["lifetime_amount"]},
        "party": cookie["party"],
        "storage_kind": cookie["storage_kind"],
        "shown_on_policy": bool(cookie["shown_on_policy"]),
        "is_sample": bool(cookie["is_sample"]),
        "notes": cookie["notes"],
        "created_at": timestamp(cookie["created_at"]),
        "updated_at": timestamp(cookie["updated_at"]),
    }


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _json_list(name, items, last=False):
    yield f'  "{name}": ['
    first = True
    for item in items:
        yield ("\n    " if first else ",\n    ") + _dumps(item)
        first = False
    yield ("\n  ]" if not first else "]") + ("\n" if last else ",\n")


def export_json(query=None, *, session=None):
    """The complete inventory as JSON (schema: inventory/schema/inventory-v1.schema.json),
    yielded in UTF-8 chunks. One object per line, keys sorted, lists in a fixed order:
    the same inventory always gives the same bytes, whatever the database.

    With ``query``, only those cookies are written (with every category, provider, purpose).
    """
    session = session or db.session
    settings = session.scalars(select(SiteSettings).order_by(SiteSettings.id).limit(1)).first()
    head = (
        "{\n"
        f'  "format": {_dumps(FORMAT_NAME)},\n'
        f'  "version": {FORMAT_VERSION},\n'
        f'  "settings": {_dumps(_settings_dict(settings) if settings else None)},\n'
    )
    yield head.encode("utf-8")
    for name, rows in (
        ("categories", map(_category_dict, _categories(session))),
        ("providers", map(_provider_dict, _providers(session))),
        ("purposes", map(_purpose_dict, _purposes(session))),
    ):
        yield "".join(_json_list(name, rows)).encode("utf-8")
    chunk = []
    for index, part in enumerate(_json_list("cookies", map(_cookie_dict, iter_cookies(query, session)), last=True)):
        chunk.append(part)
        if index % WINDOW == 0:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    chunk.append("}\n")
    yield "".join(chunk).encode("utf-8")


# --- One entry point -------------------------------------------------------------------------


def export(fmt, out, query=None, *, session=None):
    """Write the inventory in ``fmt`` (one of FORMATS) to the binary file ``out``."""
    if fmt == "xlsx":
        export_xlsx(out, query, session=session)
        return
    if fmt == "json":
        chunks = export_json(query, session=session)
    elif fmt in ("csv", "csv-excel"):
        chunks = export_csv(query, excel=fmt == "csv-excel", session=session)
    else:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    for chunk in chunks:
        out.write(chunk)


def export_bytes(fmt, query=None, *, session=None):
    out = io.BytesIO()
    export(fmt, out, query, session=session)
    return out.getvalue()
