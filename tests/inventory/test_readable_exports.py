"""The exports for people: the same CSV / XLSX, with headers from the fields' labels and
coded values (yes/no, party, storage kind, lifetime unit, category) in French or English;
the importer reads them back as it reads the technical ones."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from inventory.export import FORMATS, chunks, export_bytes, filename
from inventory.importing import import_inventory
from inventory.importing.tabular import Words
from inventory.kinds import SHEETS
from inventory.rows import Readable, column_label
from models import Category, Cookie, Provider, db
from tests.conftest import INVENTORY_TABLES
from tests.helpers import make_cookie
from tests.inventory.conftest import checksum


def add_cookie():
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    make_cookie(
        name="_pk_id",
        domain="stats.example.org",
        party="third",
        storage_kind="local_storage",
        category=statistics,
        provider=Provider(name="Matomo"),
        shown_on_policy=False,
        lifetime_unit="months",
        lifetime_amount=13,
    )


def rows_of(sheet):
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row)) for row in rows]


def test_the_french_workbook_speaks_french(app):
    add_cookie()
    workbook = load_workbook(io.BytesIO(export_bytes("xlsx", lang="fr")))
    assert workbook.sheetnames == ["Cookies", "Prestataires", "Catégories", "Finalités"]
    [cookie] = [row for row in rows_of(workbook["Cookies"]) if row["Nom"] == "_pk_id"]
    assert cookie["Déposé par"] == "Tiers (third-party)"
    assert cookie["Type de stockage"] == "Stockage local (localStorage)"
    assert cookie["Catégorie"] == "Cookies statistiques"
    assert cookie["Affiché sur la charte"] == "Non"
    assert cookie["Le nom est un préfixe / motif"] == "Non"
    assert cookie["Prestataire"] == "Matomo"
    assert "Dernière modification" in cookie
    categories = rows_of(workbook["Catégories"])
    assert {row["Consentement requis"] for row in categories} == {"Oui", "Non"}
    assert {row["Clé"] for row in categories} >= {"necessary", "statistics"}


def test_the_english_workbook_speaks_english(app):
    add_cookie()
    workbook = load_workbook(io.BytesIO(export_bytes("xlsx-readable", lang="en")))
    assert workbook.sheetnames == ["Cookies", "Providers", "Categories", "Purposes"]
    [cookie] = [row for row in rows_of(workbook["Cookies"]) if row["Name"] == "_pk_id"]
    assert cookie["Set by"] == "Third party"
    assert cookie["Storage kind"] == "Local storage"
    assert cookie["Shown on the policy"] == "No"
    assert cookie["Lifetime: unit"] == "Months"
    assert cookie["Lifetime: amount"] == 13
    english = db.session.scalars(select(Category.name_en).where(Category.key == "statistics")).one()
    assert cookie["Category"] == english


def test_the_readable_csv_uses_the_separator_of_its_language(app):
    add_cookie()
    french = export_bytes("csv-readable", lang="fr")
    english = export_bytes("csv-readable", lang="en")
    assert french.startswith('\ufeff"Nom";'.encode()) and english.startswith(b'\xef\xbb\xbf"Name",')
    [row] = [r for r in csv.DictReader(io.StringIO(french.decode("utf-8-sig")), delimiter=";") if r["Nom"] == "_pk_id"]
    assert row["Déposé par"] == "Tiers (third-party)" and row["Affiché sur la charte"] == "Non"


def test_a_readable_format_takes_the_current_language_by_default(app):
    from flask_babel import force_locale

    with force_locale("fr"):
        assert load_workbook(io.BytesIO(export_bytes("xlsx-readable"))).sheetnames[1] == "Prestataires"
        assert filename("xlsx-readable").endswith("-fr.xlsx") and filename("csv", lang="en").endswith("-en.csv")
    assert {"csv-readable", "xlsx-readable"} <= set(FORMATS)
    with pytest.raises(ValueError):
        chunks("json", lang="fr")
    with pytest.raises(ValueError):
        chunks("xlsx", lang="de")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "csv-excel", "csv-readable", "xlsx-readable"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_importing_a_readable_export_changes_nothing(app, fmt, lang):
    add_cookie()
    before = checksum()
    report = import_inventory(export_bytes(fmt, lang=lang), filename=f"export-{lang}", dry_run=False)
    assert report.ok, report.summary()
    assert {change.action for change in report.changes} == {"unchanged"}
    assert checksum() == before


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_readable_workbook_restores_an_empty_database(app, lang):
    add_cookie()
    technical = export_bytes("xlsx")
    readable = export_bytes("xlsx", lang=lang)
    for name in INVENTORY_TABLES:
        db.session.execute(delete(db.metadata.tables[name]))
    db.session.commit()
    report = import_inventory(readable, filename="readable.xlsx", dry_run=False)
    assert report.ok, report.summary()
    db.session.expire_all()
    again = export_bytes("xlsx")
    for sheet in ("Cookies", "Providers", "Categories", "Purposes"):
        # Every column but the last-modified time, which an import does not restore.
        first = [row[:-1] for row in load_workbook(io.BytesIO(technical))[sheet].iter_rows(values_only=True)]
        assert [row[:-1] for row in load_workbook(io.BytesIO(again))[sheet].iter_rows(values_only=True)] == first


def test_words_typed_by_hand_are_read_in_either_language(app):
    add_cookie()
    text = export_bytes("csv-readable", lang="fr").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header = [cell.replace("Déposé par", "SET BY").replace("Type de stockage", "type  de stockage") for cell in rows[0]]
    [row] = [r for r in rows[1:] if r[0] == "_pk_id"]
    values = dict(zip(rows[0], row))
    values.update(
        {
            "Déposé par": "first party",
            "Type de stockage": "cookie http",
            "Catégorie": "COOKIES PUBLICITAIRES",
            "Affiché sur la charte": "oui",
        }
    )
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([header, [values[column] for column in rows[0]]])
    report = import_inventory(out.getvalue().encode(), filename="edited.csv", dry_run=False)
    assert report.ok, report.summary()
    cookie = db.session.scalars(select(Cookie).where(Cookie.name == "_pk_id")).one()
    assert (cookie.party, cookie.storage_kind, cookie.category.key, cookie.shown_on_policy) == (
        "first",
        "http_cookie",
        "marketing",
        True,
    )


def test_an_unknown_word_is_refused_as_before(app):
    add_cookie()
    text = export_bytes("csv-readable", lang="en").decode("utf-8-sig").replace('"Third party"', '"Somebody"')
    report = import_inventory(text.encode(), filename="edited.csv")
    assert not report.ok
    assert "party: “Somebody” is not one of: first, third." in "\n".join(report.summary())


def test_every_label_names_one_column_in_both_languages(app):
    words = Words()
    for kind in SHEETS:
        assert None not in words.columns[kind.name].values(), kind.name
        assert set(words.columns[kind.name].values()) == set(kind.columns), kind.name
        assert len({str(column_label(kind, column)) for column in kind.columns}) == len(kind.columns)
    assert None not in words.sheets.values()
    for values in words.values.values():
        assert None not in values.values()


def test_a_category_name_two_categories_share_is_written_as_its_key(app):
    for category in db.session.scalars(select(Category).where(Category.key.in_(["statistics", "marketing"]))):
        category.name_en = "Tracking"
    db.session.commit()
    names = Readable("en").categories
    assert names["statistics"] == "statistics" and names["marketing"] == "marketing"
    assert names["necessary"] != "necessary"
