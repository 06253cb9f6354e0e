"""The inventory going out: CSV (plain and Excel flavoured), XLSX and JSON, from ``KINDS``.

Every function takes an optional ``query`` (a ``select(Cookie)`` or a legacy ``Query`` of
cookies, with any filters applied): only those cookies are exported, always in the same order.
Cookies are read in windows and written as they are read, so memory stays flat.

The CSV and XLSX writers also take ``lang`` ("fr" or "en"): the same columns and values,
with headers from the fields' labels and coded values (yes/no, party, storage kind, lifetime
unit, category) in words of that language, for people; the importer reads them back. The
"csv-readable" and "xlsx-readable" formats are those, in ``lang`` or the current language.
"""

import csv
import io
import json
import tempfile
from datetime import datetime
from functools import partial

from flask_babel import get_locale
from sqlalchemy import func, select

from models import Cookie, SiteSettings, cookie_purposes, db
from rules import lifetime as lifetimes

from .kinds import COOKIE, KINDS, SETTINGS, SHEETS, Purposes, Reference
from .rows import (
    FORMULA_START,
    LANGUAGES,
    WINDOW,
    Readable,
    iter_cookies,
    json_dict,
    neutralise_csv,
    record_dict,
    records,
    tabular_row,
)

FORMAT_NAME = "cookie-inventory"
FORMAT_VERSION = 1

COOKIE_COLUMNS = COOKIE.columns  # the CSV's columns


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-excel": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "csv-readable": "text/csv; charset=utf-8",
    "xlsx-readable": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {
    "csv": "csv",
    "csv-excel": "csv",
    "xlsx": "xlsx",
    "json": "json",
    "csv-readable": "csv",
    "xlsx-readable": "xlsx",
}
FORMATS = tuple(MEDIA_TYPES)
# The formats that take ``lang`` (headers and values in words).
TABULAR_FORMATS = ("csv", "csv-excel", "xlsx", "csv-readable", "xlsx-readable")


def filename(fmt, now=None, lang=None):
    """cookie-inventory-2025-01-31.csv; for people, the language too: …-2025-01-31-fr.xlsx."""
    now = now or datetime.now()
    if fmt.endswith("-readable") or lang:
        return f"cookie-inventory-{now:%Y-%m-%d}-{lang or current_language()}.{EXTENSIONS[fmt]}"
    return f"cookie-inventory-{now:%Y-%m-%d}.{EXTENSIONS[fmt]}"


# --- CSV -------------------------------------------------------------------------------------


class _Buffer:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def take(self):
        text, self.parts = "".join(self.parts), []
        return text


def current_language():
    """The request's (or command's) language when it is one of ours, else French."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "fr"


def export_csv(query=None, *, excel=False, session=None, lang=None):
    """The cookie list as CSV, yielded in UTF-8 chunks of about ``WINDOW`` rows.

    Both flavours start with a UTF-8 BOM: without it, Excel and LibreOffice's import
    dialog read the file in the system's code page (Windows-1252) and accents come out
    garbled. ``excel=True`` separates with ``;``, as French spreadsheets do; there is no
    ``sep=;`` line (Excel then ignores the BOM, and LibreOffice shows it as a row).
    Every field is quoted, so that a spreadsheet splitting on both separators (as
    LibreOffice does by default) keeps each cell whole; formula-like texts are neutralised
    after every separator and line break for a reader that splits inside quotes anyway.
    ``lang``: headers and coded values in words of that language (see ``Readable``).
    """
    buffer = _Buffer()
    delimiter = ";" if excel else ","
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    describe = lifetimes.Descriptions()
    columns = COOKIE.columns
    readable = Readable(lang, session) if lang else None
    if readable:
        writer.writerow(readable.header(COOKIE))
    else:
        # The header is ours (names without separators): left unquoted, as people expect it.
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(columns)
    yield ("\ufeff" + buffer.take()).encode("utf-8")
    for count, cookie in enumerate(iter_cookies(query, session), 1):
        row = tabular_row(COOKIE, cookie, describe)
        if readable:
            row = readable.values(COOKIE, row)
        writer.writerow([neutralise_csv(row[column]) for column in columns])
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
    always text or numbers, each text exactly as it is: a cell typed as text is never
    evaluated, so no apostrophe is added (it would show, unlike one a person types)."""

    def __init__(self, workbook, title, columns, header=None):
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
        cells = []
        for text in header or columns:
            cell = self._text(text)
            cell.font = bold
            cells.append(cell)
        self.sheet.append(cells)

    def _text(self, value):
        """A cell holding ``value`` as text, whatever it starts with; one that starts like a
        formula also gets Excel's "quote prefix", so that editing it keeps it text."""
        cell = self._cell(self.sheet, value=value)
        cell.data_type = "s"  # openpyxl makes a text starting with "=" a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
        return cell

    def append(self, row):
        # Plain values rather than a cell object each (openpyxl types a str as text), except
        # for the texts a spreadsheet would evaluate or openpyxl would make a formula.
        values = []
        for column in self.columns:
            value = row.get(column)
            if value is None or value == "":
                values.append(None)
                continue
            if isinstance(value, str) and value.startswith(FORMULA_START):
                value = self._text(value)
            values.append(value)
        self.sheet.append(values)
        self.rows += 1

    def close(self):
        self.sheet.auto_filter.ref = f"A1:{_column_letter(len(self.columns))}{self.rows}"


def _cookie_counts(kind, session):
    """{record id: how many cookies use it} for a kind that cookies name."""
    if kind.name == "purpose":
        column = cookie_purposes.c.purpose_id
    else:
        [f] = [f for f in COOKIE.fields if isinstance(f.value, Reference) and f.value.kind == kind.name]
        column = getattr(Cookie, f"{f.name}_id")
    return dict(session.execute(select(column, func.count()).group_by(column)).all())


def _used(cookie, used):
    """Note the keys of the records a cookie names, per kind."""
    for f in COOKIE.fields:
        if isinstance(f.value, Reference):
            used.setdefault(f.value.kind, set()).add(cookie[f.name])
        elif isinstance(f.value, Purposes):
            used.setdefault(f.value.kind, set()).update(fr for fr, _ in cookie[f.name])


def export_xlsx(out, query=None, *, session=None, lang=None):
    """Write the workbook (one sheet per kind of ``SHEETS``) to the binary file ``out``.
    openpyxl's write-only mode keeps rows on disk until the final zip is written.

    With ``query``, Cookies holds those cookies and the other sheets what they use.
    With ``lang``, sheet names, headers and coded values are in words (see ``Readable``).
    """
    from openpyxl import Workbook

    session = session or db.session
    workbook = Workbook(write_only=True)
    describe = lifetimes.Descriptions()
    readable = Readable(lang, session) if lang else None
    used = {}
    for kind in SHEETS:
        if readable:
            sheet = _Sheet(workbook, readable.sheets[kind.name], kind.columns, readable.header(kind))
        else:
            sheet = _Sheet(workbook, kind.sheet, kind.columns)
        if kind is COOKIE:
            for cookie in iter_cookies(query, session):
                row = tabular_row(kind, cookie, describe)
                sheet.append(readable.values(kind, row) if readable else row)
                if query is not None:
                    _used(cookie, used)
        else:
            counts = _cookie_counts(kind, session)
            wanted = used.get(kind.name, set())
            for record in records(kind, session):
                if query is None or record[kind.key[0]] in wanted:
                    row = tabular_row(kind, record, describe) | {"cookies": counts.get(record["id"], 0)}
                    sheet.append(readable.values(kind, row) if readable else row)
        sheet.close()
    workbook.save(out)


# --- JSON ------------------------------------------------------------------------------------


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
    yielded in UTF-8 chunks: one section per kind in ``KINDS`` order, one object per line,
    keys sorted, lists in a fixed order, so the same inventory always gives the same bytes.

    With ``query``, only those cookies are written (with every other record).
    """
    session = session or db.session
    settings = SiteSettings.current(session)
    head = (
        "{\n"
        f'  "format": {_dumps(FORMAT_NAME)},\n'
        f'  "version": {FORMAT_VERSION},\n'
        f'  "{SETTINGS.section}": {_dumps(json_dict(SETTINGS, record_dict(SETTINGS, settings)) if settings else None)},\n'
    )
    yield head.encode("utf-8")
    for kind in KINDS.values():
        if kind.single or kind is COOKIE:
            continue
        rows = (json_dict(kind, record) for record in records(kind, session))
        yield "".join(_json_list(kind.section, rows)).encode("utf-8")
    cookies = (json_dict(COOKIE, cookie) for cookie in iter_cookies(query, session))
    chunk = []
    for index, part in enumerate(_json_list(COOKIE.section, cookies, last=True)):
        chunk.append(part)
        if index % WINDOW == 0:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    chunk.append("}\n")
    yield "".join(chunk).encode("utf-8")


# --- One entry point -------------------------------------------------------------------------


def _xlsx_chunks(query=None, *, session=None, lang=None):
    """The workbook in byte chunks: built whole in a temporary file (spilling to disk), then read."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        export_xlsx(spool, query, session=session, lang=lang)
        spool.seek(0)
        while block := spool.read(1 << 16):
            yield block


def _csv_readable(query=None, *, session=None, lang=None):
    """In the separator of that language's spreadsheets: ``;`` in French, ``,`` in English."""
    return export_csv(query, excel=lang == "fr", session=session, lang=lang)


_STREAMS = {
    "csv": export_csv,
    "csv-excel": partial(export_csv, excel=True),
    "xlsx": _xlsx_chunks,
    "json": export_json,
    "csv-readable": _csv_readable,
    "xlsx-readable": _xlsx_chunks,
}


def chunks(fmt, query=None, *, session=None, lang=None):
    """The inventory in ``fmt`` (one of FORMATS) as an iterator of byte chunks.

    ``lang`` ("fr" or "en"): headers and coded values in words, for the CSV and XLSX
    formats; the "-readable" formats are always in words, in the current language by default.
    """
    if fmt not in _STREAMS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    if fmt.endswith("-readable"):
        lang = lang or current_language()
    if lang is None:
        return _STREAMS[fmt](query, session=session)
    if fmt not in TABULAR_FORMATS:
        raise ValueError(f"the {fmt} export has no language: it is for machines")
    return _STREAMS[fmt](query, session=session, lang=lang)


def export(fmt, out, query=None, *, session=None, lang=None):
    """Write the inventory in ``fmt`` (one of FORMATS) to the binary file ``out``."""
    for chunk in chunks(fmt, query, session=session, lang=lang):
        out.write(chunk)


def export_bytes(fmt, query=None, *, session=None, lang=None):
    out = io.BytesIO()
    export(fmt, out, query, session=session, lang=lang)
    return out.getvalue()
