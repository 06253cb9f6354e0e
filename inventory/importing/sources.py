"""The bytes of an uploaded file: limits, format recognised from the content, UTF-8 text."""

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
    if not data.strip():
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


def decode(data, where):
    """The UTF-8 text of ``data`` (a BOM dropped); raises FileRefused for anything else."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        refuse(
            Where(where.file, row=line),
            _l(
                "The file is not UTF-8 text (invalid byte at line %(line)d). Save it as UTF-8 (CSV UTF-8 in Excel).",
                line=line,
            ),
        )
    if "\x00" in text:
        refuse(where, _l("The file contains binary data, not text."))
    return text
