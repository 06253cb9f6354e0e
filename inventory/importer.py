"""The inventory coming in: our JSON, CSV and XLSX exports, and the Open Cookie Database CSV.

    report = import_inventory(data, filename="cookies.csv")              # dry run: the plan
    report = import_inventory(data, filename="cookies.csv", dry_run=False)  # all or nothing
    report = import_inventory(..., dry_run=False, skip_invalid=True)       # rejected rows listed, rest applied

Steps: check the bytes (size, content type sniffed from the content, UTF-8, zip limits),
read rows into ``Record``s, plan each row against the database (create, update,
unchanged, rejected and why), then, unless it is a dry run, apply the plan in the session's
transaction with one flush and one commit. Nothing here raises on bad input: every problem
becomes a ``Problem`` naming the file, the row and the column.

Matching: categories by key, providers by name, purposes by French text, cookies by
(name, domain). A category must exist (or be in the file): creating one needs its French
name and description. A provider or purpose named by a cookie row and unknown is created.
A purpose with a row of its own (JSON ``purposes``, the XLSX Purposes sheet) takes its texts
from that row; otherwise the cookie rows' English column updates it, and two cookie rows
giving it different English texts are a rejection.

Columns: an absent column leaves the field as it is (or the model's default on creation);
a present but empty cell empties an optional field. The readable columns (lifetime_fr,
lifetime_en, updated_at) are ignored: the machine columns decide. JSON timestamps are
restored when a row creates its object, so a backup restored into an empty database exports
to the same bytes.
"""
import csv
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from models import Category, Cookie, Provider, Purpose, SiteSettings, cookie_purposes, db
from models.inventory import PARTIES, STORAGE_KINDS

from rules import lifetime as lifetimes
from . import ocd
from .export import (
    COOKIE_COLUMNS,
    DERIVED_COOKIE_COLUMNS,
    FORMAT_NAME,
    FORMAT_VERSION,
    PURPOSE_SEPARATOR,
    unneutralise,
)
from .history import recording
from .records import MISSING, Change, ImportReport, Problem, Record, Where
from rules.validation import InventoryError

log = logging.getLogger(__name__)

FORMATS = ("json", "csv", "xlsx", "ocd")

MAX_BYTES = 32 * 1024 * 1024
MAX_CELL = 20_000
MAX_ROWS = 200_000
# An XLSX is a zip: these bound what openpyxl would unpack, checked before it opens the file.
MAX_ZIP_ENTRIES = 1000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

REQUIRED_CSV_COLUMNS = ("name", "category", "provider", "service_fr", "purposes_fr", "lifetime_unit")
REQUIRED_OCD_COLUMNS = tuple(column for column in ocd.HEADER if column not in ("ID", "User Privacy & GDPR Rights Portals"))


class _Refused(Exception):
    """The whole file is refused; carries the problem."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


# --- Bytes to text, format from content ------------------------------------------------------


def _refuse(where, message, column=None):
    raise _Refused(Problem(where, message, column))


def sniff(data):
    """The format the content looks like: "xlsx", "json", "ocd", "csv", or None for binary."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    head = data[:4096]
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        return "json"
    first_line = text.split("\n", 1)[0]
    if ocd.looks_like_ocd(first_line):
        return "ocd"
    return "csv"


def _decode(data, where):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        _refuse(
            Where(where.file, row=line),
            _l(
                "The file is not UTF-8 text (invalid byte at line %(line)d). Save it as UTF-8 (CSV UTF-8 in Excel).",
                line=line,
            ),
        )
    if "\x00" in text:
        _refuse(where, _l("The file contains binary data, not text."))
    return text


# --- CSV -------------------------------------------------------------------------------------


def _delimiter(text):
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    return ";" if first.count(";") > first.count(",") else ","


def _csv_rows(text, where, required, label_missing):
    """(header, [(row number, {column: cell})]) from CSV text; refuses malformed files."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    number = 0
    try:
        header = next(reader, None)
        number = 1
        if not header or not any(cell.strip() for cell in header):
            _refuse(where, _l("The file is empty: no header row."))
        header = [cell.strip() for cell in header]
        seen = set()
        for column in header:
            if column and column in seen:
                _refuse(Where(where.file, row=1), _l("The column “%(column)s” appears twice.", column=column), column)
            seen.add(column)
        missing = [column for column in required if column not in header]
        if missing:
            _refuse(Where(where.file, row=1), label_missing(missing, header))
        for cells in reader:
            number += 1
            if number > MAX_ROWS + 1:
                _refuse(where, _l("The file has more than %(max)d rows: split it.", max=MAX_ROWS))
            if not cells or not any(cell.strip() for cell in cells):
                continue
            rows.append((number, header, cells))
    except csv.Error as error:
        _refuse(
            Where(where.file, row=number + 1),
            _l("The CSV is malformed (%(error)s): is it complete, with its quotes closed?", error=str(error)),
        )
    return header, rows


def _missing_columns(missing, header, spreadsheet=False):
    found = ", ".join(column for column in header if column)[:200]
    if spreadsheet:
        return _l("Missing column(s): %(missing)s. Columns found: %(found)s.", missing=", ".join(missing), found=found or "-")
    return _l(
        "Missing column(s): %(missing)s. Columns found: %(found)s. The separator must be a comma or a semicolon.",
        missing=", ".join(missing),
        found=found or "-",
    )


def _size(count):
    """A byte count as people read it."""
    if count >= 2**20:
        return f"{count / 2**20:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} B"


def _row_cells(number, header, cells, where_factory):
    """{column: cell} or a rejected Record for a row whose shape is wrong."""
    where = where_factory(number)
    if len(cells) != len(header):
        return where, None, Problem(
            where,
            _l("This row has %(found)d cells where the header has %(expected)d.", found=len(cells), expected=len(header)),
        )
    for column, cell in zip(header, cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL:
            return where, None, Problem(
                where, _l("This cell is too long (%(length)d characters).", length=len(cell)), column
            )
    return where, dict(zip(header, cells)), None


def _our_cookie_record(cells, where):
    """A Record from a row with the export's columns (CSV or the XLSX Cookies sheet)."""
    rec = Record(kind="cookie", where=where)
    cells = {column: unneutralise(value) for column, value in cells.items()}
    for column in COOKIE_COLUMNS:
        if column in DERIVED_COOKIE_COLUMNS or column in ("purposes_fr", "purposes_en"):
            continue
        if column in cells:
            rec.values[column] = cells[column]
    rec.columns = {"purposes": "purposes_fr"}
    french = _cell_text(cells.get("purposes_fr"))
    english = cells.get("purposes_en", MISSING)
    french_parts = [part for part in french.split(PURPOSE_SEPARATOR)] if french.strip() else []
    if english is MISSING or not _cell_text(english).strip():
        english_parts = [MISSING] * len(french_parts)
    else:
        english_parts = _cell_text(english).split(PURPOSE_SEPARATOR)
        if len(english_parts) != len(french_parts):
            rec.problems.append(
                Problem(
                    where,
                    _l(
                        "%(en)d English purposes for %(fr)d French ones: separate them with “%(sep)s” in the same order.",
                        en=len(english_parts),
                        fr=len(french_parts),
                        sep=PURPOSE_SEPARATOR.strip(),
                    ),
                    "purposes_en",
                )
            )
    rec.values["purposes"] = list(zip(french_parts, english_parts))
    return rec


def _cell_text(value):
    if value is None or value is MISSING:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_rows(text, where, required, make_record):
    """One Record per CSV row; a row whose cells do not fit the header is rejected."""
    _, rows = _csv_rows(text, where, required, _missing_columns)
    records = []
    for number, head, cells in rows:
        row_where, cells, problem = _row_cells(number, head, cells, lambda n: Where(where.file, row=n))
        if problem:
            records.append(Record(kind="cookie", where=row_where, problems=[problem]))
            continue
        records.append(make_record(cells, row_where))
    return records


def read_csv(text, where):
    return _read_rows(text, where, REQUIRED_CSV_COLUMNS, _our_cookie_record)


def read_ocd(text, where):
    return _read_rows(text, where, REQUIRED_OCD_COLUMNS, ocd.record)


# --- XLSX ------------------------------------------------------------------------------------

_SHEETS = {
    "Categories": ("category", ("key", "position", "consent_required", "name_fr", "name_en", "description_fr", "description_en")),
    "Providers": ("provider", ("name", "website", "privacy_policy_url", "country")),
    "Purposes": ("purpose", ("description_fr", "description_en")),
}


def _check_zip(data, where):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        _refuse(where, _l("The workbook is damaged or incomplete (not a readable zip file)."))
    if len(entries) > MAX_ZIP_ENTRIES:
        _refuse(where, _l("The workbook holds too many parts (%(count)d): it is not a normal spreadsheet.", count=len(entries)))
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        _refuse(
            where,
            _l("The workbook would unpack to %(size)s, more than the %(max)s allowed.", size=_size(unpacked), max=_size(MAX_UNPACKED_BYTES)),
        )
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        _refuse(where, _l("This zip file is not an Excel workbook (.xlsx)."))


def _sheet_rows(sheet, title, where):
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return None, []
    header = [_cell_text(cell).strip() for cell in header]
    while header and not header[-1]:
        header.pop()
    body = []
    for number, cells in enumerate(rows, 2):
        if number > MAX_ROWS + 1:
            _refuse(Where(where.file, sheet=title), _l("The sheet has more than %(max)d rows: split it.", max=MAX_ROWS))
        cells = list(cells)
        if not any(cell not in (None, "") for cell in cells):
            continue
        extra = cells[len(header):]
        if any(cell not in (None, "") for cell in extra):
            body.append((number, header, cells))
            continue
        cells = (cells + [None] * len(header))[: len(header)]
        body.append((number, header, ["" if cell is None else cell for cell in cells]))
    return header, body


def read_xlsx(data, where):
    _check_zip(data, where)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, XML errors…) on damaged files
        _refuse(where, _l("The workbook cannot be read: it is damaged or not an .xlsx file."))
    records = []
    try:
        if "Cookies" not in workbook.sheetnames:
            _refuse(where, _l("The workbook has no “Cookies” sheet (sheets found: %(sheets)s).", sheets=", ".join(workbook.sheetnames)))
        for title in ("Categories", "Providers", "Purposes", "Cookies"):
            if title not in workbook.sheetnames:
                continue
            header, rows = _sheet_rows(workbook[title], title, where)
            if header is None:
                continue
            required = REQUIRED_CSV_COLUMNS if title == "Cookies" else _SHEETS[title][1][:1]
            missing = [column for column in required if column not in header]
            if missing:
                _refuse(Where(where.file, row=1, sheet=title), _missing_columns(missing, header, spreadsheet=True))
            for number, head, cells in rows:
                row_where, cells, problem = _row_cells(
                    number, head, cells, lambda n, t=title: Where(where.file, row=n, sheet=t)
                )
                kind = "cookie" if title == "Cookies" else _SHEETS[title][0]
                if problem:
                    records.append(Record(kind=kind, where=row_where, problems=[problem]))
                elif title == "Cookies":
                    records.append(_our_cookie_record(cells, row_where))
                else:
                    rec = Record(kind=kind, where=row_where)
                    for column in _SHEETS[title][1]:
                        if column in cells:
                            rec.values[column] = unneutralise(cells[column])
                    records.append(rec)
    except _Refused:
        raise
    except Exception:
        _refuse(where, _l("The workbook cannot be read: it is damaged or not an .xlsx file."))
    finally:
        workbook.close()
    return records


# --- JSON ------------------------------------------------------------------------------------

_JSON_FIELDS = {
    "settings": (
        "site_name",
        "site_url",
        "controller_name",
        "controller_address",
        "contact_email",
        "contact_url",
        "is_sample",
        "updated_at",
    ),
    "categories": (
        "key",
        "position",
        "consent_required",
        "name_fr",
        "name_en",
        "description_fr",
        "description_en",
        "created_at",
        "updated_at",
    ),
    "providers": ("name", "website", "privacy_policy_url", "country", "created_at", "updated_at"),
    "purposes": ("description_fr", "description_en", "created_at", "updated_at"),
    "cookies": (
        "name",
        "domain",
        "is_pattern",
        "provider",
        "category",
        "service_fr",
        "service_en",
        "purposes",
        "lifetime",
        "party",
        "storage_kind",
        "shown_on_policy",
        "is_sample",
        "notes",
        "created_at",
        "updated_at",
    ),
}
_JSON_REQUIRED = {
    "settings": ("site_name", "site_url", "controller_name", "contact_email"),
    "categories": ("key", "name_fr", "description_fr"),
    "providers": ("name",),
    "purposes": ("description_fr",),
    "cookies": ("name", "provider", "category", "service_fr", "purposes", "lifetime"),
}
_JSON_KINDS = {"settings": "settings", "categories": "category", "providers": "provider", "purposes": "purpose", "cookies": "cookie"}
_RESTORED = ("created_at", "updated_at")


def read_json(text, where):
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        _refuse(
            Where(where.file, row=error.lineno),
            _l("The JSON is malformed at line %(line)d, column %(col)d: %(error)s.", line=error.lineno, col=error.colno, error=error.msg),
        )
    except RecursionError:
        _refuse(where, _l("The JSON is nested too deeply."))
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        _refuse(where, _l("This JSON is not a cookie inventory export (its “format” is not “%(name)s”).", name=FORMAT_NAME))
    if document.get("version") != FORMAT_VERSION:
        _refuse(
            where,
            _l("Unsupported inventory version %(found)s: this application reads version %(version)d.", found=repr(document.get("version"))[:20], version=FORMAT_VERSION),
        )
    unknown = sorted(set(document) - {"format", "version", *_JSON_FIELDS})
    if unknown:
        _refuse(where, _l("Unknown section(s): %(names)s.", names=", ".join(unknown)[:200]))
    records = []
    for section in ("settings", "categories", "providers", "purposes", "cookies"):
        items = document.get(section)
        if items is None:
            continue
        if section == "settings":
            items = [items]
        elif not isinstance(items, list):
            _refuse(where, _l("“%(section)s” must be a list.", section=section))
        for index, item in enumerate(items, 1):
            records.append(_json_record(section, index, item, where))
    return records


def _json_record(section, index, item, where):
    kind = _JSON_KINDS[section]
    row_where = Where(where.file, row=index, section=section)
    rec = Record(kind=kind, where=row_where)
    if not isinstance(item, dict):
        rec.problems.append(Problem(row_where, _l("Each entry must be a JSON object.")))
        return rec
    for key in sorted(set(item) - set(_JSON_FIELDS[section])):
        rec.problems.append(Problem(row_where, _l("Unknown field."), key))
    for key in _JSON_REQUIRED[section]:
        if key not in item:
            rec.problems.append(Problem(row_where, _l("This field is required."), key))
    for key in _JSON_FIELDS[section]:
        if key not in item:
            continue
        value = item[key]
        if key in _RESTORED:
            rec.create_only[key] = value
        elif key == "lifetime":
            if not isinstance(value, dict) or set(value) - {"unit", "amount"}:
                rec.problems.append(Problem(row_where, _l("Write the lifetime as {\"unit\": …, \"amount\": …}."), key))
            else:
                rec.values["lifetime_unit"] = value.get("unit")
                rec.values["lifetime_amount"] = value.get("amount")
                rec.columns.update(lifetime_unit="lifetime", lifetime_amount="lifetime")
        elif key == "purposes":
            if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
                rec.problems.append(Problem(row_where, _l("Write the purposes as a list of their French texts."), key))
            else:
                rec.values["purposes"] = [(text, MISSING) for text in value]
        else:
            rec.values[key] = value
    return rec


# --- Values ----------------------------------------------------------------------------------

_TRUE = {"yes", "true", "1", "oui", "y", "vrai", "x"}
_FALSE = {"no", "false", "0", "non", "n", "faux", ""}


def _boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InventoryError(_l("Write yes or no."))


def _integer(value):
    if isinstance(value, bool):
        raise InventoryError(_l("Write a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise InventoryError(_l("Write a whole number."))


def _restored_time(value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise InventoryError(_l("Write a date such as 2025-01-31T12:00:00Z."))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InventoryError(_l("Write a date such as 2025-01-31T12:00:00Z.")) from None
    if moment.tzinfo is not None:
        from datetime import UTC

        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _choice(choices):
    def rule(value):
        value = _cell_text(value).strip()
        if value not in choices:
            raise InventoryError(_l("“%(value)s” is not one of: %(choices)s.", value=value[:40], choices=", ".join(choices)))
        return value

    return rule


def _model_rule(model, name):
    def rule(value):
        if value is not None and not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = _cell_text(value)
            else:
                raise InventoryError(_l("Write this as text."))
        return model.check_field(name, value)

    return rule


@dataclass(frozen=True)
class _Spec:
    model: type
    key: tuple
    rules: dict
    defaults: dict


def _spec(model, key, *text_fields, **other_rules):
    rules = {name: _model_rule(model, name) for name in text_fields}
    rules.update(other_rules)
    return _Spec(model, key, rules, {})


SPECS = {
    "settings": _spec(
        SiteSettings,
        (),
        "site_name",
        "site_url",
        "controller_name",
        "controller_address",
        "contact_email",
        "contact_url",
        is_sample=_boolean,
    ),
    "category": _spec(
        Category,
        ("key",),
        "key",
        "name_fr",
        "name_en",
        "description_fr",
        "description_en",
        position=_integer,
        consent_required=_boolean,
    ),
    "provider": _spec(Provider, ("name",), "name", "website", "privacy_policy_url", "country"),
    "purpose": _spec(Purpose, ("description_fr",), "description_fr", "description_en"),
    "cookie": _spec(
        Cookie,
        ("name", "domain"),
        "name",
        "domain",
        "service_fr",
        "service_en",
        "notes",
        is_pattern=_boolean,
        shown_on_policy=_boolean,
        is_sample=_boolean,
        party=_choice(PARTIES),
        storage_kind=_choice(STORAGE_KINDS),
    ),
}

# Values a new object gets when the source does not give them (the models' defaults).
CREATE_DEFAULTS = {
    "settings": {"is_sample": False},
    "category": {"position": 0, "consent_required": True},
    "cookie": {
        "domain": "",
        "is_pattern": False,
        "party": "first",
        "storage_kind": "http_cookie",
        "shown_on_policy": True,
        "is_sample": False,
        "notes": None,
        "service_en": None,
    },
}

_FIELD_ORDER = {
    "cookie": (
        "name",
        "domain",
        "is_pattern",
        "provider",
        "category",
        "service_fr",
        "service_en",
        "purposes",
        "lifetime_unit",
        "lifetime_amount",
        "party",
        "storage_kind",
        "shown_on_policy",
        "is_sample",
        "notes",
    )
}


def _display_key(kind, values, fallback):
    if kind == "cookie" and values.get("name"):
        return f"“{values['name']}” ({values['domain']})" if values.get("domain") else f"“{values['name']}”"
    for name in ("key", "name", "description_fr", "site_name"):
        if values.get(name):
            text = str(values[name])
            return "“" + (text if len(text) <= 60 else text[:59] + "…") + "”"
    return fallback


# --- Planning --------------------------------------------------------------------------------


class _Planner:
    """Plans records against the database as it will be once the accepted rows are applied."""

    def __init__(self, session, records):
        self.session = session
        self.changes = []
        self.existing = {
            "category": {c.key: self._values("category", c) | {"id": c.id} for c in session.scalars(select(Category))},
            "provider": {p.name: self._values("provider", p) | {"id": p.id} for p in session.scalars(select(Provider))},
            "purpose": {},
            "settings": {},
        }
        self.purpose_by_english = {}
        for purpose in session.scalars(select(Purpose).order_by(Purpose.id)):
            self.existing["purpose"][purpose.description_fr] = self._values("purpose", purpose) | {"id": purpose.id}
            if purpose.description_en:
                self.purpose_by_english.setdefault(purpose.description_en, purpose.description_fr)
        settings = session.scalars(select(SiteSettings).order_by(SiteSettings.id).limit(1)).first()
        if settings is not None:
            self.existing["settings"][()] = self._values("settings", settings) | {"id": settings.id}
        self.existing["cookie"] = self._existing_cookies(records)
        # Accepted values of this file, per kind and key: where they came from and what they set.
        self.planned = {kind: {} for kind in SPECS}
        self.rejected = {kind: {} for kind in SPECS}

    @staticmethod
    def _values(kind, obj):
        return {name: getattr(obj, name) for name in SPECS[kind].rules}

    def _existing_cookies(self, records):
        names = sorted({_cell_text(rec.values.get("name")).strip() for rec in records if rec.kind == "cookie"} - {""})
        found = {}
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            rows = self.session.execute(
                select(
                    Cookie.id,
                    Cookie.name,
                    Cookie.domain,
                    Cookie.is_pattern,
                    Cookie.service_fr,
                    Cookie.service_en,
                    Cookie.notes,
                    Cookie.party,
                    Cookie.storage_kind,
                    Cookie.shown_on_policy,
                    Cookie.is_sample,
                    Cookie.lifetime_unit,
                    Cookie.lifetime_amount,
                    Provider.name.label("provider"),
                    Category.key.label("category"),
                )
                .join(Provider, Cookie.provider_id == Provider.id)
                .join(Category, Cookie.category_id == Category.id)
                .where(Cookie.name.in_(chunk))
            ).all()
            ids = [row.id for row in rows]
            purposes = {}
            for cookie_id, french in self.session.execute(
                select(cookie_purposes.c.cookie_id, Purpose.description_fr)
                .join(Purpose, Purpose.id == cookie_purposes.c.purpose_id)
                .where(cookie_purposes.c.cookie_id.in_(ids))
            ):
                purposes.setdefault(cookie_id, []).append(french)
            for row in rows:
                values = row._asdict()
                values["purposes"] = sorted(purposes.get(row.id, []))
                found[(row.name, row.domain or "")] = values
        return found

    # A row's own fields --------------------------------------------------------------------

    def _normalise(self, rec, source):
        spec = SPECS[rec.kind]
        values, problems = {}, []
        for name, raw in source.items():
            rule = spec.rules.get(name)
            if rule is None:
                continue
            try:
                values[name] = rule(raw)
            except InventoryError as error:
                problems.append(Problem(rec.where, error.message, rec.column(name)))
        return values, problems

    def plan(self, rec):
        if rec.kind == "cookie":
            return self._plan_cookie(rec)
        return self._plan_entity(rec)

    def _reject(self, rec, values, problems):
        change = Change(rec.kind, _display_key(rec.kind, values, str(rec.where.label)), "rejected", rec.where, problems=problems)
        self.changes.append(change)
        return change

    def _restore(self, rec, problems):
        restore = {}
        for name in _RESTORED:
            if name in rec.create_only:
                try:
                    restore[name] = _restored_time(rec.create_only[name])
                except InventoryError as error:
                    problems.append(Problem(rec.where, error.message, name))
        return restore

    def _plan_entity(self, rec):
        kind, spec = rec.kind, SPECS[rec.kind]
        values, problems = self._normalise(rec, rec.values)
        problems = rec.problems + problems
        restore = self._restore(rec, problems)
        key = tuple(values.get(name) for name in spec.key)
        key = key[0] if len(key) == 1 else key
        if not problems and key in self.planned[kind]:
            first = self.planned[kind][key]
            problems.append(
                Problem(rec.where, _l("Duplicate of %(first)s.", first=first.where.label), rec.column(spec.key[0]) if spec.key else None)
            )
        if problems:
            if key is not None:
                self.rejected[kind][key] = rec.where
            return self._reject(rec, values, problems)
        existing = self.existing[kind].get(key)
        change = self._diff(kind, key, rec, values, existing)
        change.restore = restore
        change.key_value = key
        self.planned[kind][key] = change
        self.changes.append(change)
        return change

    def _diff(self, kind, key, rec, values, existing, implied=False):
        display = _display_key(kind, values, str(rec.where.label))
        if existing is None:
            full = dict(CREATE_DEFAULTS.get(kind, {})) | values
            fields = [(name, None, value) for name, value in full.items()]
            change = Change(kind, display, "create", rec.where, fields=fields, implied=implied, values=full)
        else:
            fields = [(name, existing.get(name), value) for name, value in values.items() if existing.get(name) != value]
            change = Change(
                kind,
                display,
                "update" if fields else "unchanged",
                rec.where,
                fields=fields,
                implied=implied,
                target_id=existing["id"],
                values=dict(values),
            )
        if kind in _FIELD_ORDER:
            order = {name: index for index, name in enumerate(_FIELD_ORDER[kind])}
            change.fields.sort(key=lambda item: order.get(item[0], 99))
        return change

    def _current(self, kind, key):
        """The values an object will have: this file's accepted row, else the database's."""
        planned = self.planned[kind].get(key)
        if planned is not None:
            return planned.values if planned.action == "create" else (self.existing[kind][key] | planned.values)
        return self.existing[kind].get(key)

    # Cookies and what they name ------------------------------------------------------------

    def _plan_cookie(self, rec):
        values, problems = self._normalise(rec, rec.values)
        problems = rec.problems + problems
        restore = self._restore(rec, problems)
        implied = []
        key = (values.get("name"), values.get("domain", ""))
        exists = not problems and values.get("name") and key in self.existing["cookie"]
        # Values used only when the cookie is new (Open Cookie Database texts and flags).
        extra_source = {} if exists else {k: v for k, v in rec.create_only.items() if k not in _RESTORED}
        extra, extra_problems = self._normalise(rec, extra_source)
        problems += extra_problems
        values = extra | values

        if "name" in values and "*" in values["name"]:
            values["is_pattern"] = True

        if "lifetime_unit" in rec.values or "lifetime_amount" in rec.values:
            try:
                unit = _cell_text(rec.values.get("lifetime_unit")).strip()
                amount = rec.values.get("lifetime_amount")
                if isinstance(amount, str):
                    amount = amount.strip()
                if isinstance(amount, float) and amount.is_integer():
                    amount = int(amount)
                if unit == lifetimes.SESSION and amount in ("", None):
                    amount = None
                values["lifetime_unit"], values["lifetime_amount"] = lifetimes.check(unit, amount)
            except InventoryError as error:
                problems.append(Problem(rec.where, error.message, rec.column(error.field or "lifetime_unit")))

        if "category" in rec.values:
            category = _cell_text(rec.values["category"]).strip().lower()
            if category in self.rejected["category"]:
                problems.append(Problem(rec.where, _l("The category “%(key)s” is rejected (%(where)s).", key=category, where=self.rejected["category"][category].label), rec.column("category")))
            elif self._current("category", category) is None:
                choices = sorted(set(self.existing["category"]) | set(self.planned["category"]))
                problems.append(
                    Problem(
                        rec.where,
                        _l("Unknown category “%(key)s”: use one of %(choices)s.", key=category[:40], choices=", ".join(choices) or "-"),
                        rec.column("category"),
                    )
                )
            values["category"] = category

        if "provider" in rec.values:
            values["provider"] = self._provider(rec, implied, problems)

        purposes_source = rec.values.get("purposes", MISSING)
        if purposes_source is MISSING and not exists:
            purposes_source = rec.create_only.get("purposes", MISSING)
        if purposes_source is not MISSING:
            values["purposes"] = self._purposes(rec, purposes_source, implied, problems)

        if not problems and not exists:
            for name in ("provider", "category", "purposes", "service_fr", "lifetime_unit"):
                if name not in values:
                    problems.append(Problem(rec.where, _l("This field is required."), rec.column(name)))
        if not problems and key in self.planned["cookie"]:
            problems.append(
                Problem(rec.where, _l("Duplicate of %(first)s (same name and domain).", first=self.planned["cookie"][key].where.label), rec.column("name"))
            )
        if problems:
            return self._reject(rec, values, problems)

        for change in implied:
            self.planned[change.kind][change.key_value] = change
            self.changes.append(change)
        existing = self.existing["cookie"].get(key)
        change = self._diff("cookie", key, rec, values, existing)
        change.restore = restore
        self.planned["cookie"][key] = change
        self.changes.append(change)
        return change

    def _provider(self, rec, implied, problems):
        column = rec.column("provider")
        try:
            name = Provider.check_field("name", _cell_text(rec.values["provider"]))
        except InventoryError as error:
            problems.append(Problem(rec.where, error.message, column))
            return None
        if name in self.rejected["provider"]:
            problems.append(Problem(rec.where, _l("The provider “%(name)s” is rejected (%(where)s).", name=name, where=self.rejected["provider"][name].label), column))
            return name
        url = rec.fill_empty.get("provider_privacy_policy_url")
        current = self._current("provider", name)
        pending = next((c for c in implied if c.kind == "provider" and c.key_value == name), None)
        if current is None and pending is None:
            values = {"name": name}
            if url:
                values["privacy_policy_url"] = url
            change = self._diff("provider", name, rec, values, None, implied=True)
            change.key_value = name
            implied.append(change)
        elif url and current is not None and not current.get("privacy_policy_url"):
            planned = self.planned["provider"].get(name)
            if planned is not None and planned.implied and planned.action == "create":
                # Created by an earlier row without an address: this row brings one.
                planned.values["privacy_policy_url"] = url
                planned.fields.append(("privacy_policy_url", None, url))
            elif planned is None:
                change = self._diff("provider", name, rec, {"privacy_policy_url": url}, self.existing["provider"][name], implied=True)
                change.key_value = name
                implied.append(change)
        return name

    def _purposes(self, rec, pairs, implied, problems):
        column_fr = rec.column("purposes")
        column_en = "purposes_en" if column_fr == "purposes_fr" else column_fr
        texts = []
        if not pairs:
            problems.append(Problem(rec.where, _l("A cookie needs at least one purpose."), column_fr))
            return texts
        for french, english in pairs:
            try:
                french = Purpose.check_field("description_fr", french)
            except InventoryError as error:
                problems.append(Problem(rec.where, error.message, column_fr))
                continue
            if english is not MISSING:
                try:
                    english = Purpose.check_field("description_en", english)
                except InventoryError as error:
                    problems.append(Problem(rec.where, error.message, column_en))
                    continue
            if rec.match_purpose_by_english and english and self._current("purpose", french) is None:
                # An existing purpose with this English text, translated since or not: use it as it is.
                known = self.purpose_by_english.get(english)
                if known is not None:
                    french, english = known, MISSING
            if french in self.rejected["purpose"]:
                problems.append(Problem(rec.where, _l("This purpose is rejected (%(where)s).", where=self.rejected["purpose"][french].label), column_fr))
                continue
            if french in texts:
                continue
            texts.append(french)
            current = self._current("purpose", french)
            pending = next((c for c in implied if c.kind == "purpose" and c.key_value == french), None)
            if pending is not None:
                if english is not MISSING and pending.values.get("description_en") != english:
                    problems.append(Problem(rec.where, _l("This purpose is given twice with different English texts."), column_en))
                continue
            if current is None:
                values = {"description_fr": french, "description_en": None if english is MISSING else english}
                change = self._diff("purpose", french, rec, values, None, implied=True)
                change.key_value = french
                implied.append(change)
            elif english is not MISSING and current.get("description_en") != english:
                planned = self.planned["purpose"].get(french)
                if planned is not None and planned.implied:
                    problems.append(
                        Problem(rec.where, _l("The English text of this purpose differs from %(where)s.", where=planned.where.label), column_en)
                    )
                elif planned is None:
                    # (A purpose with a row of its own, such as in the XLSX Purposes sheet, keeps that row's texts.)
                    change = self._diff("purpose", french, rec, {"description_en": english}, self.existing["purpose"][french], implied=True)
                    change.key_value = french
                    implied.append(change)
        return sorted(texts)


# --- Applying --------------------------------------------------------------------------------


def _apply(session, changes):
    providers = {p.name: p for p in session.scalars(select(Provider))}
    categories = {c.key: c for c in session.scalars(select(Category))}
    purposes = {p.description_fr: p for p in session.scalars(select(Purpose))}
    registry = {"provider": providers, "category": categories, "purpose": purposes}
    models = {"provider": Provider, "category": Category, "purpose": Purpose}

    with session.no_autoflush:
        for change in changes:
            if change.action not in ("create", "update"):
                continue
            if change.action == "update":
                values = {name: new for name, _, new in change.fields}
            else:
                values = dict(change.values)
            if change.kind == "settings":
                obj = session.get(SiteSettings, change.target_id) if change.target_id else SiteSettings()
                _assign(obj, values, change.restore if change.action == "create" else {})
                session.add(obj)
            elif change.kind in models:
                if change.action == "create":
                    obj = models[change.kind]()
                    session.add(obj)
                else:
                    obj = session.get(models[change.kind], change.target_id)
                _assign(obj, values, change.restore if change.action == "create" else {})
                key = {"provider": "name", "category": "key", "purpose": "description_fr"}[change.kind]
                registry[change.kind][getattr(obj, key)] = obj
            else:
                obj = Cookie() if change.action == "create" else session.get(Cookie, change.target_id)
                if "provider" in values:
                    obj.provider = providers[values.pop("provider")]
                if "category" in values:
                    obj.category = categories[values.pop("category")]
                if "purposes" in values:
                    obj.purposes = [purposes[text] for text in values.pop("purposes")]
                _assign(obj, values, change.restore if change.action == "create" else {})
                if change.action == "create":
                    session.add(obj)
    session.flush()


def _assign(obj, values, restore):
    for name, value in values.items():
        setattr(obj, name, value)
    for name, value in restore.items():
        if value is not None:
            setattr(obj, name, value)


# --- Entry point -----------------------------------------------------------------------------


def read_source(data, filename="upload", fmt=None, max_bytes=MAX_BYTES):
    """(format, records) from the bytes of a file; raises _Refused for a file-level problem."""
    where = Where(filename)
    if fmt is not None and fmt not in FORMATS:
        _refuse(where, _l("Unknown import format “%(format)s”: use one of %(formats)s.", format=str(fmt)[:20], formats=", ".join(FORMATS)))
    if not isinstance(data, (bytes, bytearray)):
        _refuse(where, _l("Nothing to import."))
    if len(data) > max_bytes:
        _refuse(where, _l("The file is too large (%(size)s, at most %(max)s).", size=_size(len(data)), max=_size(max_bytes)))
    if not data.strip():
        _refuse(where, _l("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(where, _l("The file is in UTF-16: save it as UTF-8 (CSV UTF-8 in Excel) and try again."))
    detected = sniff(bytes(data))
    if detected is None:
        _refuse(where, _l("The file contains binary data, not text: expected CSV, JSON or XLSX."))
    if fmt is not None and fmt != detected and not (fmt == "csv" and detected == "ocd"):
        _refuse(where, _l("The file was given as %(given)s but its content is %(found)s.", given=fmt.upper(), found=detected.upper()))
    fmt = fmt or detected
    if fmt == "csv" and detected == "ocd":
        fmt = "ocd"
    if fmt == "xlsx":
        return fmt, read_xlsx(bytes(data), where)
    text = _decode(bytes(data), where)
    reader = {"json": read_json, "csv": read_csv, "ocd": read_ocd}[fmt]
    return fmt, reader(text, where)


def import_inventory(data, *, filename="upload", fmt=None, dry_run=True, skip_invalid=False, session=None, max_bytes=MAX_BYTES):
    """Plan, and unless ``dry_run`` apply, an import; returns an ImportReport.

    ``data``: the file's bytes. ``fmt``: json, csv, xlsx or ocd; sniffed from the content when
    None (the file name is never trusted). Without ``skip_invalid``, any rejected row means
    nothing is written; with it, rejected rows are listed and the others applied. Applying
    commits the session's transaction (one flush, one commit); any database refusal rolls
    everything back and is reported.
    """
    session = session or db.session
    report = ImportReport(filename=filename, format=fmt, dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        report.format, records = read_source(data, filename, fmt, max_bytes)
    except _Refused as refused:
        report.problems.append(refused.problem)
        return report
    report.rows = len(records)
    if not records:
        report.problems.append(Problem(Where(filename), _l("The file has no rows to import.")))
        return report
    planner = _Planner(session, records)
    order = {"settings": 0, "category": 1, "provider": 2, "purpose": 3, "cookie": 4}
    for rec in sorted(records, key=lambda r: order[r.kind]):
        planner.plan(rec)
    report.changes = planner.changes
    if dry_run or report.problems or (report.rejected and not skip_invalid):
        session.rollback()
        return report
    try:
        # One transaction, so one entry in the change history, attributed to the import.
        with recording("import"):
            _apply(session, report.changes)
            session.commit()
    except (InventoryError, SQLAlchemyError, KeyError) as error:
        session.rollback()
        if isinstance(error, InventoryError):
            message = error.message
        else:
            # The database's own words (SQL, constraint names) are for the log, not the user.
            log.warning("import of %s refused by the database: %s", filename, error)
            message = _l("a row conflicts with data already in the inventory")
        report.problems.append(
            Problem(Where(filename), _l("The database refused the import, nothing was written: %(error)s", error=message))
        )
        return report
    report.applied = True
    return report
