"""Broken files are refused with a message naming the file (and the row and column when there
is one), never with an exception, and nothing is written. The corpus is generated here."""

import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from inventory.export import export_bytes
from inventory.importing import import_inventory
from tests.inventory.conftest import checksum, cookie_row, csv_bytes


def good_csv():
    return csv_bytes([cookie_row(name="a"), cookie_row(name="b"), cookie_row(name="c")])


def xlsx(sheets):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes(entries, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb():
    # 300 MB of zeros squeezed into about 300 KB, beside a real workbook's parts.
    return zip_bytes(
        [
            ("[Content_Types].xml", "<Types/>"),
            ("xl/workbook.xml", "<workbook/>"),
            ("xl/worksheets/sheet1.xml", b"\0" * 300_000_000),
        ]
    )


def backup(**changes):
    document = json.loads(export_bytes("json"))
    document.update(changes)
    return json.dumps(document).encode()


# (id, bytes factory, import options, words the message must contain, row, column)
CORPUS = [
    ("empty file", lambda: b"", {}, "empty", None, None),
    ("only blank lines", lambda: b"\r\n\r\n  \n", {}, "empty", None, None),
    ("binary (PNG)", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, {}, "binary", None, None),
    ("random bytes", lambda: bytes((i * 151 + 7) % 256 for i in range(5000)), {}, "binary", None, None),
    (
        "bad UTF-8 (Latin-1 CSV)",
        lambda: good_csv().replace(b"Mesure d'audience", "Mesure d'audience é".encode("latin-1")),
        {},
        "UTF-8",
        2,
        None,
    ),
    ("UTF-16 CSV", lambda: good_csv().decode().encode("utf-16"), {}, "UTF-16", None, None),
    ("truncated CSV inside a quoted cell", lambda: good_csv() + b'd,"unterminated', {}, "malformed", 5, None),
    ("wrong delimiter (tab)", lambda: good_csv().replace(b",", b"\t"), {}, "separator", 1, None),
    ("wrong delimiter (pipe)", lambda: good_csv().replace(b",", b"|"), {}, "Missing column", 1, None),
    (
        "missing column",
        lambda: csv_bytes([cookie_row()], columns=("name", "category", "service_fr", "purposes_fr", "lifetime_unit")),
        {},
        "provider",
        1,
        None,
    ),
    ("duplicate column", lambda: csv_bytes([["a", "x"] * 9], columns=("name", "name") * 9), {}, "twice", 1, "name"),
    ("row with too many cells", lambda: good_csv() + b"x,y" + b",z" * 30 + b"\r\n", {}, "cells", 5, None),
    ("row with too few cells", lambda: good_csv() + b"x,y\r\n", {}, "cells", 5, None),
    (
        "huge cell over the CSV field limit",
        lambda: good_csv() + b'"' + b"x" * 200_000 + b'"\r\n',
        {},
        "malformed",
        None,
        None,
    ),
    (
        "huge cell under the field limit",
        lambda: csv_bytes([cookie_row(notes="n" * 30_000)]),
        {},
        "too long",
        2,
        "notes",
    ),
    ("duplicate rows", lambda: csv_bytes([cookie_row(), cookie_row()]), {}, "Duplicate of row 2", 3, "name"),
    ("unknown category", lambda: csv_bytes([cookie_row(category="tracking")]), {}, "Unknown category", 2, "category"),
    (
        "lifetime amount not a number",
        lambda: csv_bytes([cookie_row(lifetime_amount="thirteen")]),
        {},
        "whole number",
        2,
        "lifetime_amount",
    ),
    (
        "control character in a cell",
        lambda: csv_bytes([cookie_row(service_fr="Mesure\x07")]),
        {},
        "control characters",
        2,
        "service_fr",
    ),
    (
        "yes/no cell with another word",
        lambda: csv_bytes([cookie_row(shown_on_policy="maybe")]),
        {},
        "yes or no",
        2,
        "shown_on_policy",
    ),
    ("header only", lambda: csv_bytes([]), {}, "no rows", None, None),
    ("truncated JSON", lambda: export_bytes("json")[:-40], {}, "malformed", None, None),
    (
        "JSON of another format",
        lambda: b'{"format": "something-else", "version": 1}',
        {},
        "not a cookie inventory",
        None,
        None,
    ),
    ("JSON of a future version", lambda: backup(version=2), {}, "version", None, None),
    ("JSON list instead of object", lambda: b"[1, 2, 3]", {}, "not a cookie inventory", None, None),
    ("JSON nested too deeply", lambda: b"[" * 100_000 + b"]" * 100_000, {}, "", None, None),
    (
        "JSON cookie with wrong types",
        lambda: backup(
            cookies=[
                {
                    "name": 5,
                    "provider": "Opendatasoft",
                    "category": "necessary",
                    "service_fr": "S",
                    "purposes": "x",
                    "lifetime": 3,
                    "colour": "red",
                }
            ]
        ),
        {},
        "",
        1,
        None,
    ),
    ("truncated XLSX", lambda: export_bytes("xlsx")[:3000], {}, "damaged", None, None),
    ("zip bomb", zip_bomb, {}, "unpack", None, None),
    (
        "zip with too many entries",
        lambda: zip_bytes([(f"f{i}.txt", "") for i in range(1500)], zipfile.ZIP_STORED),
        {},
        "too many parts",
        None,
        None,
    ),
    (
        "zip that is not a workbook",
        lambda: zip_bytes([("readme.txt", "hello")]),
        {},
        "not an Excel workbook",
        None,
        None,
    ),
    ("XLSX without a Cookies sheet", lambda: xlsx({"Sheet": [["a", "b"]]}), {}, "Cookies", None, None),
    (
        "XLSX missing a column",
        lambda: xlsx({"Cookies": [["name", "provider"], ["a", "b"]]}),
        {},
        "Missing column",
        1,
        None,
    ),
    ("unknown format", good_csv, {"fmt": "pdf"}, "Unknown import format", None, None),
    ("declared format does not match the content", good_csv, {"fmt": "json"}, "content is CSV", None, None),
    ("file over the size limit", good_csv, {"max_bytes": 100}, "too large", None, None),
    (
        "Open Cookie Database row with an unknown category",
        lambda: (
            b"ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,"
            b"User Privacy & GDPR Rights Portals,Wildcard match\r\n"
            b"1,Tracker,Spying,_t,,Tracks you,1 day,Tracker Inc,,0\r\n"
        ),
        {},
        "Unknown category",
        2,
        "Category",
    ),
]


@pytest.mark.parametrize("name, make, options, words, row, column", CORPUS, ids=[case[0] for case in CORPUS])
def test_malformed_input_is_refused_clearly(app, name, make, options, words, row, column):
    assert len(CORPUS) >= 20
    before = checksum()
    report = import_inventory(make(), filename="broken.file", dry_run=False, **options)
    assert not report.ok and not report.applied
    problems = report.all_problems
    assert problems
    message = str(problems[0])
    assert message.startswith("broken.file"), message
    assert words.lower() in message.lower(), message
    if row is not None:
        assert problems[0].where.row == row, message
    if column is not None:
        assert problems[0].column == column, message
    assert checksum() == before
