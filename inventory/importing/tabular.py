"""Rows of a CSV file or an XLSX workbook read into ``Record``s, column by column from ``KINDS``."""

import csv
import io
import zipfile

from flask_babel import lazy_gettext as _l

from rules.cells import cell_text

from ..kinds import COOKIE, KINDS, Purposes
from ..rows import PURPOSE_SEPARATOR, unneutralise
from .report import MISSING, Problem, Record, Where
from .sources import MAX_CELL, MAX_ROWS, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES, FileRefused, refuse, size


def required_columns(kind):
    """The columns a sheet of ``kind`` must have: for cookies, every required field's; for the
    other kinds, the key, since their sheets may update some fields of existing records."""
    fields = kind.required_fields if kind is COOKIE else [kind.field(name) for name in kind.key]
    return tuple(f.read_columns[0] for f in fields)


def missing_columns(missing, header, spreadsheet=False):
    found = ", ".join(column for column in header if column)[:200]
    if spreadsheet:
        return _l(
            "Missing column(s): %(missing)s. Columns found: %(found)s.", missing=", ".join(missing), found=found or "-"
        )
    return _l(
        "Missing column(s): %(missing)s. Columns found: %(found)s. The separator must be a comma or a semicolon.",
        missing=", ".join(missing),
        found=found or "-",
    )


# --- From cells to a Record ------------------------------------------------------------------


def _purposes(rec, f, cells):
    """(French, English or MISSING) pairs from the two purpose columns, English in step."""
    column_fr, column_en = f.read_columns
    rec.columns[f.name] = column_fr
    french = cell_text(cells.get(column_fr))
    english = cells.get(column_en, MISSING)
    french_parts = french.split(PURPOSE_SEPARATOR) if french.strip() else []
    if english is MISSING or not cell_text(english).strip():
        english_parts = [MISSING] * len(french_parts)
    else:
        english_parts = cell_text(english).split(PURPOSE_SEPARATOR)
        if len(english_parts) != len(french_parts):
            rec.problems.append(
                Problem(
                    rec.where,
                    _l(
                        "%(en)d English purposes for %(fr)d French ones: separate them with “%(sep)s” in the same order.",
                        en=len(english_parts),
                        fr=len(french_parts),
                        sep=PURPOSE_SEPARATOR.strip(),
                    ),
                    column_en,
                )
            )
    rec.values[f.name] = list(zip(french_parts, english_parts))


def tabular_record(kind, cells, where):
    """A Record from a row with the export's columns ({column: cell}); the columns written
    for people (readable lifetimes, timestamps) are not read."""
    rec = Record(kind=kind.name, where=where)
    cells = {column: unneutralise(value) for column, value in cells.items()}
    for f in kind.fields:
        if isinstance(f.value, Purposes) and f.read_columns:
            _purposes(rec, f, cells)
            continue
        for column in f.read_columns:
            if column in cells:
                rec.values[column] = cells[column]
    return rec


def _row_cells(number, header, cells, where):
    """({column: cell}, None), or (None, Problem) for a row whose shape is wrong."""
    if len(cells) != len(header):
        return None, Problem(
            where,
            _l(
                "This row has %(found)d cells where the header has %(expected)d.",
                found=len(cells),
                expected=len(header),
            ),
        )
    for column, cell in zip(header, cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL:
            return None, Problem(where, _l("This cell is too long (%(length)d characters).", length=len(cell)), column)
    return dict(zip(header, cells)), None


def _records(kind, rows, where_of, make_record):
    records = []
    for number, header, cells in rows:
        where = where_of(number)
        cells, problem = _row_cells(number, header, cells, where)
        if problem:
            records.append(Record(kind=kind.name, where=where, problems=[problem]))
        else:
            records.append(make_record(cells, where))
    return records


# --- CSV -------------------------------------------------------------------------------------


def _delimiter(text):
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    return ";" if first.count(";") > first.count(",") else ","


def _csv_rows(text, where, required):
    """[(row number, header, cells)] from CSV text; refuses malformed files."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows = []
    number = 0
    try:
        header = next(reader, None)
        number = 1
        if not header or not any(cell.strip() for cell in header):
            refuse(where, _l("The file is empty: no header row."))
        header = [cell.strip() for cell in header]
        seen = set()
        for column in header:
            if column and column in seen:
                refuse(Where(where.file, row=1), _l("The column “%(column)s” appears twice.", column=column), column)
            seen.add(column)
        missing = [column for column in required if column not in header]
        if missing:
            refuse(Where(where.file, row=1), missing_columns(missing, header))
        for cells in reader:
            number += 1
            if number > MAX_ROWS + 1:
                refuse(where, _l("The file has more than %(max)d rows: split it.", max=MAX_ROWS))
            if not cells or not any(cell.strip() for cell in cells):
                continue
            rows.append((number, header, cells))
    except csv.Error as error:
        refuse(
            Where(where.file, row=number + 1),
            _l("The CSV is malformed (%(error)s): is it complete, with its quotes closed?", error=str(error)),
        )
    return rows


def read_rows(text, where, required, make_record, kind=COOKIE):
    """One Record per CSV row, built by ``make_record(cells, where)``; a row whose cells do
    not fit the header is a Record with its problem."""
    rows = _csv_rows(text, where, required)
    return _records(kind, rows, lambda number: Where(where.file, row=number), make_record)


def read_csv(text, where):
    """Our CSV export (either flavour): one cookie Record per row."""
    return read_rows(text, where, required_columns(COOKIE), lambda cells, w: tabular_record(COOKIE, cells, w))


# --- XLSX ------------------------------------------------------------------------------------


def _check_zip(data, where):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        refuse(where, _l("The workbook is damaged or incomplete (not a readable zip file)."))
    if len(entries) > MAX_ZIP_ENTRIES:
        refuse(
            where,
            _l("The workbook holds too many parts (%(count)d): it is not a normal spreadsheet.", count=len(entries)),
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        refuse(
            where,
            _l(
                "The workbook would unpack to %(size)s, more than the %(max)s allowed.",
                size=size(unpacked),
                max=size(MAX_UNPACKED_BYTES),
            ),
        )
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        refuse(where, _l("This zip file is not an Excel workbook (.xlsx)."))


def _sheet_rows(sheet, title, where):
    """(header, [(row number, header, cells)]), or (None, []) for an empty sheet."""
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return None, []
    header = [cell_text(cell).strip() for cell in header]
    while header and not header[-1]:
        header.pop()
    body = []
    for number, cells in enumerate(rows, 2):
        if number > MAX_ROWS + 1:
            refuse(Where(where.file, sheet=title), _l("The sheet has more than %(max)d rows: split it.", max=MAX_ROWS))
        cells = list(cells)
        if not any(cell not in (None, "") for cell in cells):
            continue
        extra = cells[len(header) :]
        if any(cell not in (None, "") for cell in extra):
            body.append((number, header, cells))
            continue
        cells = (cells + [None] * len(header))[: len(header)]
        body.append((number, header, ["" if cell is None else cell for cell in cells]))
    return header, body


def _read_sheet(workbook, kind, where):
    header, rows = _sheet_rows(workbook[kind.sheet], kind.sheet, where)
    if header is None:
        return []
    missing = [column for column in required_columns(kind) if column not in header]
    if missing:
        refuse(Where(where.file, row=1, sheet=kind.sheet), missing_columns(missing, header, spreadsheet=True))
    return _records(
        kind,
        rows,
        lambda number: Where(where.file, row=number, sheet=kind.sheet),
        lambda cells, w: tabular_record(kind, cells, w),
    )


def read_xlsx(data, where):
    """Our XLSX export: a Record per row of each kind's sheet (only Cookies is required)."""
    _check_zip(data, where)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, XML errors…) on damaged files
        refuse(where, _l("The workbook cannot be read: it is damaged or not an .xlsx file."))
    records = []
    try:
        if COOKIE.sheet not in workbook.sheetnames:
            refuse(
                where,
                _l(
                    "The workbook has no “Cookies” sheet (sheets found: %(sheets)s).",
                    sheets=", ".join(workbook.sheetnames),
                ),
            )
        for kind in KINDS.values():
            if kind.sheet and kind.sheet in workbook.sheetnames:
                records += _read_sheet(workbook, kind, where)
    except FileRefused:
        raise
    except Exception:
        refuse(where, _l("The workbook cannot be read: it is damaged or not an .xlsx file."))
    finally:
        workbook.close()
    return records
