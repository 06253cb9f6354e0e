"""The bytes of an uploaded file: limits, format recognised from the content, UTF-8 text."""

import codecs
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import ocd
from .report import Problem, Where

FORMATS = ("json", "csv", "xlsx", "ocd")

MAX_BYTES = 32 * 1024 * 1024
MAX_CELL = 20_000
MAX_ROWS = 200_000
# An XLSX is a zip: these bound what openpyxl would unpack, checked before it opens the file.
MAX_ZIP_ENTRIES = 1000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one import may cost, checked before the expensive step it bounds.

    Every bound follows from ``max_rows``: a row of our sheets has about 20 cells, of which
    a handful of distinct texts, so a file with more shared strings, cells or XML than its
    rows explain is refused before openpyxl builds them. ``web`` makes the row-cap message
    point to the command line, whose default bounds are larger.
    """

    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    web: bool = False

    @property
    def max_shared_strings(self):
        return 5 * self.max_rows + 10_000

    @property
    def max_cells(self):
        return 40 * self.max_rows + 10_000

    @property
    def max_part_bytes(self):
        """Unpacked size of one part of a workbook (a sheet, the shared strings…)."""
        return min(MAX_UNPACKED_BYTES, 1024 * self.max_rows + 4 * 2**20)

    @property
    def max_unpacked_bytes(self):
        return min(MAX_UNPACKED_BYTES, 2 * self.max_part_bytes)

    @property
    def max_json_items(self):
        """Objects and numbers a JSON file may hold: a cookie has 2 and 1."""
        return 4 * self.max_rows + 10_000

    @property
    def max_json_lists(self):
        """ "[" in a JSON file: a cookie has one list, and texts may hold a few ("[EN] …")."""
        return 6 * self.max_rows + 10_000

    def too_many_rows(self, sheet=False):
        """The message for a file (or sheet) over ``max_rows``."""
        if self.web:
            return _l(
                "The file has more than %(max)d rows: the back office previews at most %(max)d. "
                "Split it, or import it on the server with “flask inventory import FILE”.",
                max=self.max_rows,
            )
        if sheet:
            return _l("The sheet has more than %(max)d rows: split it.", max=self.max_rows)
        return _l("The file has more than %(max)d rows: split it.", max=self.max_rows)


def web_limits(max_bytes, max_rows):
    return Limits(max_bytes=max_bytes, max_rows=max_rows, web=True)


class FileRefused(Exception):
    """The whole file is refused; ``problem`` is the ``Problem`` that says why."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


def refuse(where, message, column=None):
    raise FileRefused(Problem(where, message, column))


def size(count):
    """A byte count as people read it."""
    if count >= 2**20:
        return f"{count / 2**20:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} B"


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


def recognise(data, where, fmt=None, max_bytes=MAX_BYTES):
    """The format of ``data`` (``fmt`` when given and consistent with the content, else the
    sniffed one); raises FileRefused for a file that cannot be imported at all."""
    if fmt is not None and fmt not in FORMATS:
        refuse(
            where,
            _l(
                "Unknown import format “%(format)s”: use one of %(formats)s.",
                format=str(fmt)[:20],
                formats=", ".join(FORMATS),
            ),
        )
    if not isinstance(data, (bytes, bytearray)):
        refuse(where, _l("Nothing to import."))
    if len(data) > max_bytes:
        refuse(
            where, _l("The file is too large (%(size)s, at most %(max)s).", size=size(len(data)), max=size(max_bytes))
        )
    if not data or data.isspace():  # isspace: no copy of a large file, unlike strip()
        refuse(where, _l("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        refuse(where, _l("The file is in UTF-16: save it as UTF-8 (CSV UTF-8 in Excel) and try again."))
    detected = sniff(bytes(data))
    if detected is None:
        refuse(where, _l("The file contains binary data, not text: expected CSV, JSON or XLSX."))
    if fmt is not None and fmt != detected and not (fmt == "csv" and detected == "ocd"):
        refuse(
            where,
            _l(
                "The file was given as %(given)s but its content is %(found)s.",
                given=fmt.upper(),
                found=detected.upper(),
            ),
        )
    return "ocd" if detected == "ocd" else (fmt or detected)


def _not_utf8(data, where, offset):
    line = data.count(b"\n", 0, offset) + 1
    refuse(
        Where(where.file, row=line),
        _l(
            "The file is not UTF-8 text (invalid byte at line %(line)d). Save it as UTF-8 (CSV UTF-8 in Excel).",
            line=line,
        ),
    )


def check_text(data, where):
    """Refuse ``data`` unless it is UTF-8 text without NUL, checked a block at a time (the
    whole text is never held as a str)."""
    if b"\x00" in data:
        refuse(where, _l("The file contains binary data, not text."))
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), _BLOCK):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(view[start : start + _BLOCK])
        except UnicodeDecodeError as error:
            _not_utf8(data, where, start - pending + error.start)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _not_utf8(data, where, len(data) - len(decoder.getstate()[0]))


def text_stream(data, where):
    """A text file over ``data`` (UTF-8, a BOM dropped), decoded as it is read, for readers
    that stream (CSV); raises FileRefused for anything but UTF-8 text."""
    check_text(data, where)
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")


def decode(data, where):
    """The UTF-8 text of ``data`` (a BOM dropped); raises FileRefused for anything else."""
    check_text(data, where)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")
