"""The inventory going out: CSV (plain and Excel flavoured), XLSX and JSON, from ``KINDS``.

Every function takes an optional ``query`` (a ``select(Cookie)`` or a legacy ``Query`` of
cookies, with any filters applied): only those cookies are exported, always in the same order.
Cookies are read in windows and written as they are read, so memory stays flat.
"""

import csv
import io
import json
import tempfile
from datetime import datetime
from functools import partial

from sqlalchemy import func, select

from models import Cookie, SiteSettings, cookie_purposes, db
from rules import lifetime as lifetimes

from .kinds import COOKIE, KINDS, SETTINGS, SHEETS, Purposes, Reference
from .rows import WINDOW, iter_cookies, json_dict, neutralise, neutralise_csv, record_dict, records, tabular_row

FORMAT_NAME = "cookie-inventory"
FORMAT_VERSION = 1

COOKIE_COLUMNS = COOKIE.columns  # the CSV's columns


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-excel": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
EXTENSIONS = {"csv": "csv", "csv-excel": "csv", "xlsx": "xlsx", "json": "json"}
FORMATS = tuple(MEDIA_TYPES)


def filename(fmt, now=None):
    now = now or datetime.now()
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


def export_csv(query=None, *, excel=False, session=None):
    """The cookie list as CSV, yielded in UTF-8 chunks of about ``WINDOW`` rows.

    ``excel=True`` gives the variant French spreadsheets open directly: a BOM and ``;``.
    Every field is quoted, so that a spreadsheet set to the other separator keeps a cell
    holding it whole when the cell is read from its start; formula-like texts are
    neutralised after every separator for the cells it would split anyway.
    """
    buffer = _Buffer()
    delimiter = ";" if excel else ","
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    describe = lifetimes.Descriptions()
    columns = COOKIE.columns
    # The header is ours (names without separators): left unquoted, as people expect it.
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(columns)
    yield (("\ufeff" if excel else "") + buffer.take()).encode("utf-8")
    for count, cookie in enumerate(iter_cookies(query, session), 1):
        row = tabular_row(COOKIE, cookie, describe)
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
        # Plain values rather than a cell object each: openpyxl stores a str as text unless it
        # starts with "=", which ``neutralise`` never leaves; should one, it is typed as text.
        values = []
        for column in self.columns:
            value = row.get(column)
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


def export_xlsx(out, query=None, *, session=None):
    """Write the workbook (one sheet per kind of ``SHEETS``) to the binary file ``out``.
    openpyxl's write-only mode keeps rows on disk until the final zip is written.

    With ``query``, Cookies holds those cookies and the other sheets what they use.
    """
    from openpyxl import Workbook

    session = session or db.session
    workbook = Workbook(write_only=True)
    describe = lifetimes.Descriptions()
    used = {}
    for kind in SHEETS:
        sheet = _Sheet(workbook, kind.sheet, kind.columns)
        if kind is COOKIE:
            for cookie in iter_cookies(query, session):
                sheet.append(tabular_row(kind, cookie, describe))
                if query is not None:
                    _used(cookie, used)
        else:
            counts = _cookie_counts(kind, session)
            wanted = used.get(kind.name, set())
            for record in records(kind, session):
                if query is None or record[kind.key[0]] in wanted:
                    sheet.append(tabular_row(kind, record, describe) | {"cookies": counts.get(record["id"], 0)})
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


def _xlsx_chunks(query=None, *, session=None):
    """The workbook in byte chunks: built whole in a temporary file (spilling to disk), then read."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        export_xlsx(spool, query, session=session)
        spool.seek(0)
        while block := spool.read(1 << 16):
            yield block


_STREAMS = {
    "csv": export_csv,
    "csv-excel": partial(export_csv, excel=True),
    "xlsx": _xlsx_chunks,
    "json": export_json,
}


def chunks(fmt, query=None, *, session=None):
    """The inventory in ``fmt`` (one of FORMATS) as an iterator of byte chunks."""
    if fmt not in _STREAMS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return _STREAMS[fmt](query, session=session)


def export(fmt, out, query=None, *, session=None):
    """Write the inventory in ``fmt`` (one of FORMATS) to the binary file ``out``."""
    for chunk in chunks(fmt, query, session=session):
        out.write(chunk)


def export_bytes(fmt, query=None, *, session=None):
    out = io.BytesIO()
    export(fmt, out, query, session=session)
    return out.getvalue()
