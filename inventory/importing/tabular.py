"""Rows of a CSV file or an XLSX workbook read into ``Record``s, column by column from ``KINDS``."""

import csv
import io
import re
import zipfile
from contextlib import suppress

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import Category, db
from rules.cells import cell_text

from ..kinds import COOKIE, KINDS, SHEETS, Choice, Lifetime, Purposes, Reference
from ..rows import LANGUAGES, PURPOSE_SEPARATOR, Readable, fold, unneutralise_csv
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


class Words:
    """What the exports for people write in French or English (``Readable``), read back:
    headers, sheet names and coded values, compared folded (see ``fold``). The technical
    names and values are always read too; a word two things share reads as neither."""

    def __init__(self):
        self.columns = {kind.name: {} for kind in SHEETS}
        self.sheets = {}
        self.values = {}  # {column: {folded word: value}}
        for lang in LANGUAGES:
            readable = Readable(lang, categories=False)
            for kind in SHEETS:
                for column, label in readable.headers[kind.name].items():
                    _add(self.columns[kind.name], label, column)
                for column, label in readable.untranslated_headers[kind.name].items():
                    if fold(label) not in self.columns[kind.name]:
                        _add(self.columns[kind.name], label, column)
                _add(self.sheets, readable.sheets[kind.name], kind)
            for name, labels in readable.choices.items():
                for value, label in labels.items():
                    _add(self.values.setdefault(name, {}), label, value)
            for unit, label in readable.units.items():
                _add(self.values.setdefault("lifetime_unit", {}), label, unit)
        self.category_keys = {}  # {key: (name_fr, name_en)}, the database's then the file's
        with suppress(RuntimeError):  # no application context: no database to ask
            rows = db.session.execute(select(Category.key, Category.name_fr, Category.name_en))
            self.category_keys.update((key, (fr, en)) for key, fr, en in rows)
        self._category_names = None

    def add_categories(self, records):
        """The categories a workbook's Categories sheet gives, named as it names them."""
        for rec in records:
            key = rec.values.get("key")
            if isinstance(key, str) and key.strip():
                old = self.category_keys.get(key.strip(), (None, None))
                self.category_keys[key.strip()] = (
                    rec.values.get("name_fr", old[0]),
                    rec.values.get("name_en", old[1]),
                )
        self._category_names = None

    def column(self, kind, cell):
        """The column a header cell names: its own name, or a label of it in either language."""
        if cell in kind.columns or kind.name not in self.columns:
            return cell
        return self.columns[kind.name].get(fold(cell)) or cell

    def kind_of_sheet(self, title):
        return self.sheets.get(fold(title))

    def _categories(self):
        if self._category_names is None:
            self._category_names = {}
            for key, names in self.category_keys.items():
                for name in names:
                    if isinstance(name, str) and name.strip():
                        _add(self._category_names, name, key)
        return self._category_names

    def value(self, kind, name, raw):
        """A coded value given in words, as its code; anything else unchanged."""
        if not isinstance(raw, str) or not raw.strip():
            return raw
        f = kind.field(name) or kind.field(name.removesuffix("_unit"))
        if isinstance(f.value, Reference) and f.value.kind == "category":
            if raw.strip() in self.category_keys:
                return raw
            return self._categories().get(fold(raw)) or raw
        if isinstance(f.value, Choice) and raw.strip() in f.value.choices:
            return raw
        if isinstance(f.value, Lifetime) and raw.strip() in self.values["lifetime_unit"].values():
            return raw
        return self.values.get(name, {}).get(fold(raw)) or raw


def _add(words, word, meaning):
    """``words[fold(word)] = meaning``, unless another meaning has it (then None: neither)."""
    key = fold(word)
    if key in words and words[key] != meaning:
        words[key] = None
    else:
        words[key] = meaning


def _coded_columns(kind):
    """The columns whose values may come as words: choices, the lifetime unit, the category."""
    columns = []
    for f in kind.fields:
        if isinstance(f.value, Choice) or (isinstance(f.value, Reference) and f.value.kind == "category"):
            columns.append(f.name)
        elif isinstance(f.value, Lifetime):
            columns.append(f"{f.name}_unit")
    return columns


def tabular_record(kind, cells, where, restore=None, words=None):
    """A Record from a row with the export's columns ({column: cell}); the columns written
    for people (readable lifetimes, timestamps) are not read. ``restore`` undoes the CSV
    export's neutralising of formula-like texts (an XLSX cell is text as it is); ``words``
    reads back the coded values an export for people gives in words."""
    rec = Record(kind=kind.name, where=where)
    if restore is not None:
        cells = {column: restore(value) for column, value in cells.items()}
    if words is not None:
        for column in _coded_columns(kind):
            if column in cells:
                cells[column] = words.value(kind, column, cells[column])
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


def _csv_rows(stream, where, required, limits, column_of=None):
    """[(row number, header, cells)] from a CSV text file, read as it goes; refuses
    malformed files, and files over ``limits.max_rows`` as soon as a row is over.
    ``column_of`` maps a header cell to the column it names (labels for people)."""
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
        if column_of is not None:
            header = [column_of(cell) for cell in header]
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


def read_rows(stream, where, required, make_record, kind=COOKIE, limits=None, column_of=None):
    """One Record per CSV row of the text file ``stream`` (or str), built by
    ``make_record(cells, where)``; a row whose cells do not fit the header is a Record with
    its problem."""
    if isinstance(stream, str):
        stream = io.StringIO(stream, newline="")
    rows = _csv_rows(stream, where, required, limits or Limits(), column_of)
    return _records(kind, rows, lambda number: Where(where.file, row=number), make_record)


def read_csv(stream, where, limits=None):
    """Our CSV export (any flavour, technical or for people): one cookie Record per row."""
    words = Words()
    return read_rows(
        stream,
        where,
        required_columns(COOKIE),
        lambda cells, w: tabular_record(COOKIE, cells, w, unneutralise_csv, words),
        limits=limits,
        column_of=lambda cell: words.column(COOKIE, cell),
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


def _sheet_rows(sheet, title, where, limits, column_of=None):
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
    if column_of is not None:
        header = [column_of(cell) for cell in header]
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


def _read_sheet(workbook, title, kind, where, limits, words):
    header, rows = _sheet_rows(workbook[title], title, where, limits, lambda cell: words.column(kind, cell))
    if header is None:
        return []
    seen = set()
    for column in header:
        if column and column in seen:
            refuse(
                Where(where.file, row=1, sheet=title),
                _l("The column “%(column)s” appears twice.", column=column),
                column,
            )
        seen.add(column)
    missing = [column for column in required_columns(kind) if column not in header]
    if missing:
        refuse(Where(where.file, row=1, sheet=title), missing_columns(missing, header, spreadsheet=True))
    return _records(
        kind,
        rows,
        lambda number: Where(where.file, row=number, sheet=title),
        lambda cells, w: tabular_record(kind, cells, w, words=words),
    )


def _sheet_titles(sheetnames, words):
    """{kind: the title of its sheet}: ours ("Cookies"…), else its name in French or English."""
    titles = {}
    for title in sheetnames:
        kind = next((kind for kind in SHEETS if kind.sheet == title), None) or words.kind_of_sheet(title)
        if kind is not None and (kind not in titles or title == kind.sheet):
            titles[kind] = title
    return titles


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
        words = Words()
        titles = _sheet_titles(workbook.sheetnames, words)
        if COOKIE not in titles:
            refuse(
                where,
                _l(
                    "The workbook has no “Cookies” sheet (sheets found: %(sheets)s).",
                    sheets=printable(", ".join(workbook.sheetnames)[:200]),
                ),
            )
        for kind in KINDS.values():
            if kind in titles:
                read = _read_sheet(workbook, titles[kind], kind, where, limits, words)
                if kind.name == "category":
                    words.add_categories(read)
                records += read
                if len(records) > limits.max_rows:
                    refuse(where, limits.too_many_rows())
    except FileRefused:
        raise
    except Exception:
        refuse(where, _l("The workbook cannot be read: it is damaged or not an .xlsx file."))
    finally:
        workbook.close()
    return records
