"""Rows of a CSV file or an XLSX workbook read into ``Record``s, column by column from ``KINDS``."""

import csv
import io
import re
import zipfile

from flask_babel import lazy_gettext as _l

from rules.cells import cell_text

from ..kinds import COOKIE, KINDS, Purposes
from ..rows import PURPOSE_SEPARATOR, unneutralise, unneutralise_csv
from .report import MISSING, SURROGATE, Problem, Record, Where, printable, storable
from .sources import MAX_CELL, MAX_ZIP_ENTRIES, FileRefused, Limits, refuse, size


def required_columns(kind):
    """The columns a sheet of ``kind`` must have: for cookies, every required field's; for the
    other kinds, the key, since their sheets may update some fields of existing records."""
    fields = kind.required_fields if kind is COOKIE else [kind.field(name) for name in kind.key]
    return tuple(f.read_columns[0] for f in fields)


def missing_columns(missing, header, spreadsheet=False):
    found = printable(", ".join(column for column in header if column)[:200])
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


def tabular_record(kind, cells, where, restore=unneutralise):
    """A Record from a row with the export's columns ({column: cell}); the columns written
    for people (readable lifetimes, timestamps) are not read. ``restore`` undoes the
    export's neutralising of formula-like texts (the CSV's covers every separator)."""
    rec = Record(kind=kind.name, where=where)
    cells = {column: restore(value) for column, value in cells.items()}
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
        if isinstance(cell, str) and not storable(cell):
            return None, Problem(where, SURROGATE, printable(column))
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


def _csv_rows(stream, where, required, limits):
    """[(row number, header, cells)] from a CSV text file, read as it goes; refuses
    malformed files, and files over ``limits.max_rows`` as soon as a row is over."""
    delimiter = _delimiter(stream.readline(64 * 1024))
    stream.seek(0)
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
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
            if number > limits.max_rows + 1:
                refuse(where, limits.too_many_rows())
            if not cells or not any(cell.strip() for cell in cells):
                continue
            rows.append((number, header, cells))
    except csv.Error as error:
        refuse(
            Where(where.file, row=number + 1),
            _l("The CSV is malformed (%(error)s): is it complete, with its quotes closed?", error=str(error)),
        )
    return rows


def read_rows(stream, where, required, make_record, kind=COOKIE, limits=None):
    """One Record per CSV row of the text file ``stream`` (or str), built by
    ``make_record(cells, where)``; a row whose cells do not fit the header is a Record with
    its problem."""
    if isinstance(stream, str):
        stream = io.StringIO(stream, newline="")
    rows = _csv_rows(stream, where, required, limits or Limits())
    return _records(kind, rows, lambda number: Where(where.file, row=number), make_record)


def read_csv(stream, where, limits=None):
    """Our CSV export (either flavour): one cookie Record per row."""
    return read_rows(
        stream,
        where,
        required_columns(COOKIE),
        lambda cells, w: tabular_record(COOKIE, cells, w, unneutralise_csv),
        limits=limits,
    )


# --- XLSX ------------------------------------------------------------------------------------


# Elements of SpreadsheetML, with or without a namespace prefix: shared strings, rows, cells.
_TAGS = {name: re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?%s[\s/>]" % name.encode()) for name in ("si", "row", "c")}
_OVERLAP = 40  # longer than any match above
_READ_BLOCK = 1 << 20
# Columns read from a header row: our widest sheet has about twenty.
MAX_COLUMNS = 200


def _check_parts(archive, entries, where, limits):
    """Count the shared strings, rows and cells of every part, unpacked a block at a time,
    and refuse as soon as a count is over ``limits`` (whatever a part's name or role)."""
    totals = dict.fromkeys(_TAGS, 0)
    for entry in entries:
        if entry.is_dir() or not entry.file_size:
            continue
        rows, tail = 0, b""
        with archive.open(entry) as part:
            while block := part.read(_READ_BLOCK):
                text = tail + block
                for name, pattern in _TAGS.items():
                    found = len(pattern.findall(text)) - len(pattern.findall(tail))
                    totals[name] += found
                    rows += found if name == "row" else 0
                tail = text[-_OVERLAP:]
                if rows > limits.max_rows + 1:
                    refuse(where, limits.too_many_rows(sheet=True))
                if totals["si"] > limits.max_shared_strings:
                    refuse(
                        where,
                        _l(
                            "The workbook holds more than %(max)d shared strings: more than its rows could need.",
                            max=limits.max_shared_strings,
                        ),
                    )
                if totals["c"] > limits.max_cells:
                    refuse(where, _l("The workbook holds more than %(max)d cells.", max=limits.max_cells))


def _check_zip(data, where, limits):
    """Refuse a workbook whose parts would cost more than ``limits`` allow, from the zip's
    directory and a count of the XML's elements, before openpyxl reads any of it."""
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
    largest = max((entry.file_size for entry in entries), default=0)
    if unpacked > limits.max_unpacked_bytes or largest > limits.max_part_bytes:
        refuse(
            where,
            _l(
                "The workbook would unpack to %(size)s, more than the %(max)s allowed.",
                size=size(unpacked if unpacked > limits.max_unpacked_bytes else largest),
                max=size(limits.max_unpacked_bytes if unpacked > limits.max_unpacked_bytes else limits.max_part_bytes),
            ),
        )
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        refuse(where, _l("This zip file is not an Excel workbook (.xlsx)."))
    try:
        _check_parts(archive, entries, where, limits)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        refuse(where, _l("The workbook is damaged or incomplete (not a readable zip file)."))


def _sheet_rows(sheet, title, where, limits):
    """(header, [(row number, header, cells)]), or (None, []) for an empty sheet.

    The sheet's stated dimension is ignored (it may claim a million columns, each row padded
    to it): the header is read up to ``MAX_COLUMNS``, the rows one column past the header,
    enough to see a cell where the header has none."""
    sheet.reset_dimensions()
    header = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
    if header is None:
        return None, []
    header = [cell_text(cell).strip() for cell in header]
    while header and not header[-1]:
        header.pop()
    rows = sheet.iter_rows(min_row=2, max_col=len(header) + 1, values_only=True)
    body = []
    for number, cells in enumerate(rows, 2):
        if number > limits.max_rows + 1:
            refuse(Where(where.file, sheet=title), limits.too_many_rows(sheet=True))
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


def _read_sheet(workbook, kind, where, limits):
    header, rows = _sheet_rows(workbook[kind.sheet], kind.sheet, where, limits)
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


def read_xlsx(data, where, limits=None):
    """Our XLSX export: a Record per row of each kind's sheet (only Cookies is required)."""
    limits = limits or Limits()
    _check_zip(data, where, limits)
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
                    sheets=printable(", ".join(workbook.sheetnames)[:200]),
                ),
            )
        for kind in KINDS.values():
            if kind.sheet and kind.sheet in workbook.sheetnames:
                records += _read_sheet(workbook, kind, where, limits)
                if len(records) > limits.max_rows:
                    refuse(where, limits.too_many_rows())
    except FileRefused:
        raise
    except Exception:
        refuse(where, _l("The workbook cannot be read: it is damaged or not an .xlsx file."))
    finally:
        workbook.close()
    return records
