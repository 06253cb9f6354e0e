"""What each export file holds: every field of every cookie, in CSV (plain and Excel flavour),
XLSX (four sheets, usable header) and JSON (complete, versioned, matching its schema)."""

import io
import json
import re

from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from sqlalchemy import select

from inventory.export import COOKIE_COLUMNS, export_bytes, export_csv, export_json
from inventory.json_schema import PATH as SCHEMA
from inventory.json_schema import schema_text
from models import Category, Cookie, Provider, Purpose, db
from tests.helpers import make_cookie
from tests.inventory.conftest import insert_cookies, read_csv_export


def add_cookie(**values):
    provider = Provider(name="Matomo", website="https://matomo.org", country="NZ")
    purposes = [
        Purpose(description_fr="Compter les visites", description_en="Count visits"),
        Purpose(description_fr="Améliorer le site", description_en=None),
    ]
    fields = {
        "name": "_pk_id*",
        "domain": ".Stats.Example.org",
        "path": "/shop",
        "provider": provider,
        "category": db.session.scalars(select(Category).where(Category.key == "statistics")).one(),
        "service_fr": "Mesure d'audience",
        "service_en": "Audience measurement",
        "purposes": purposes,
        "lifetime_unit": "months",
        "lifetime_amount": 13,
        "party": "third",
        "storage_kind": "local_storage",
        "shown_on_policy": False,
        "notes": "Ligne 1\nLigne 2",
    }
    fields.update(values)
    return make_cookie(**fields)


def test_csv_has_one_row_per_cookie_with_every_field(app):
    add_cookie()
    rows = read_csv_export(export_bytes("csv"))
    assert list(rows[0].keys()) == list(COOKIE_COLUMNS)
    assert len(rows) == 5  # the four sample cookies and this one
    row = next(r for r in rows if r["name"] == "_pk_id*")
    assert row == {
        "name": "_pk_id*",
        "domain": ".stats.example.org",
        "path": "/shop",
        "is_pattern": "yes",
        "party": "third",
        "storage_kind": "local_storage",
        "category": "statistics",
        "provider": "Matomo",
        "service_fr": "Mesure d'audience",
        "service_en": "Audience measurement",
        "purposes_fr": "Améliorer le site | Compter les visites",
        "purposes_en": " | Count visits",
        "lifetime_fr": "13 mois",
        "lifetime_en": "13 months",
        "lifetime_unit": "months",
        "lifetime_amount": "13",
        "lifetime_extended": "no",
        "legal_basis": "",
        "shown_on_policy": "no",
        "notes": "Ligne 1\nLigne 2",
        "updated_at": row["updated_at"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["updated_at"])


def test_a_session_cookie_has_no_amount(app):
    rows = read_csv_export(export_bytes("csv"))
    add_cookie(name="sid", lifetime_unit="session", lifetime_amount=None)
    rows = read_csv_export(export_bytes("csv"))
    row = next(r for r in rows if r["name"] == "sid")
    assert (row["lifetime_unit"], row["lifetime_amount"], row["lifetime_fr"], row["lifetime_en"]) == (
        "session",
        "",
        "Session",
        "Session",
    )


def test_both_csv_flavours_are_utf8_with_a_bom_and_the_excel_one_has_semicolons(app):
    # Without a BOM, Excel and LibreOffice's import dialog read the file in the system's
    # code page (Windows-1252): "AmÃ©liorer".
    add_cookie()
    plain = export_bytes("csv")
    excel = export_bytes("csv-excel")
    assert plain.startswith(b"\xef\xbb\xbfname,domain,")
    assert "Améliorer".encode() in plain
    assert excel.startswith(b"\xef\xbb\xbfname;domain;")
    assert read_csv_export(plain) == read_csv_export(excel)


def test_cookies_are_sorted_by_name_then_domain(app):
    add_cookie(name="b", domain="z.example")
    add_cookie(
        name="b", domain="a.example", provider=Provider(name="Other"), purposes=[Purpose(description_fr="Autre")]
    )
    names = [(r["name"], r["domain"]) for r in read_csv_export(export_bytes("csv"))]
    assert names == sorted(names)


def test_exports_follow_a_filtered_cookie_query(app):
    add_cookie()
    query = select(Cookie).join(Cookie.category).where(Category.key == "statistics")
    rows = read_csv_export(b"".join(export_csv(query)))
    assert [r["name"] for r in rows] == ["_pk_id*"]
    # A legacy Query, as Flask-Admin builds for its list, works as well.
    legacy = Cookie.query.filter(Cookie.name.like("c%"))
    assert [r["name"] for r in read_csv_export(b"".join(export_csv(legacy)))] == ["cookies_preferences", "csrftoken"]
    document = json.loads(b"".join(export_json(query)))
    assert [c["name"] for c in document["cookies"]] == ["_pk_id*"]


def test_csv_is_streamed_in_chunks(app):
    insert_cookies(2500)
    chunks = list(export_csv())
    assert len(chunks) >= 3
    assert all(len(chunk) < 400_000 for chunk in chunks)
    assert len(read_csv_export(b"".join(chunks))) == 2504


def test_xlsx_has_four_sheets_with_a_usable_header(app):
    add_cookie()
    workbook = load_workbook(io.BytesIO(export_bytes("xlsx")))
    assert workbook.sheetnames == ["Cookies", "Providers", "Categories", "Purposes"]
    cookies = workbook["Cookies"]
    assert [c.value for c in cookies[1]] == list(COOKIE_COLUMNS)
    assert all(cell.font.b for cell in cookies[1])
    assert cookies.freeze_panes == "A2"
    assert cookies.auto_filter.ref == f"A1:U{cookies.max_row}"
    assert cookies.column_dimensions["A"].width > 20
    assert cookies.max_row == 6
    row = {
        h.value: c.value
        for h, c in zip(cookies[1], next(r for r in cookies.iter_rows(min_row=2) if r[0].value == "_pk_id*"))
    }
    assert row["lifetime_amount"] == 13 and row["purposes_fr"] == "Améliorer le site | Compter les visites"
    providers = {r[0]: r for r in workbook["Providers"].iter_rows(min_row=2, values_only=True)}
    assert providers["Matomo"][:4] == ("Matomo", "https://matomo.org", None, "NZ")
    assert providers["Matomo"][7] == 1  # after role, transfer safeguard and its address: the cookie count
    categories = [r[0] for r in workbook["Categories"].iter_rows(min_row=2, values_only=True)]
    assert categories == ["necessary", "preferences", "statistics", "marketing"]
    purposes = [r[0] for r in workbook["Purposes"].iter_rows(min_row=2, values_only=True)]
    assert "Compter les visites" in purposes and len(purposes) == 6


def test_json_holds_the_complete_inventory_with_its_format_and_version(app):
    add_cookie()
    document = json.loads(export_bytes("json"))
    assert document["format"] == "cookie-inventory" and document["version"] == 1
    assert document["settings"]["site_name"] == "Datajoule"
    assert [c["key"] for c in document["categories"]] == ["necessary", "preferences", "statistics", "marketing"]
    assert [p["name"] for p in document["providers"]] == ["Matomo", "Opendatasoft"]
    assert len(document["purposes"]) == 6
    cookie = next(c for c in document["cookies"] if c["name"] == "_pk_id*")
    assert cookie["purposes"] == ["Améliorer le site", "Compter les visites"]
    assert cookie["lifetime"] == {"unit": "months", "amount": 13}
    assert cookie["notes"] == "Ligne 1\nLigne 2"
    assert cookie["domain"] == ".stats.example.org"


def test_json_is_deterministic(app):
    add_cookie()
    first = export_bytes("json")
    db.session.expire_all()
    assert export_bytes("json") == first
    # One object per line: a change shows as a one-line diff.
    assert all(line.startswith(("{", "}", "  ", "]")) for line in first.decode().splitlines())


def test_the_committed_schema_is_the_one_generated_from_the_kinds():
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), "run: python -m inventory.json_schema"


def test_json_export_matches_the_committed_schema(app):
    add_cookie()
    add_cookie(
        name="sid",
        lifetime_unit="session",
        lifetime_amount=None,
        provider=Provider(name="P2"),
        purposes=[Purpose(description_fr="X")],
    )
    validator = Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(json.loads(export_bytes("json")))) == []
    broken = json.loads(export_bytes("json"))
    broken["cookies"][0]["lifetime"] = {"unit": "weeks", "amount": 0}
    del broken["providers"][0]["name"]
    broken["categories"][0]["key"] = "Not A Key"
    errors = {(tuple(error.absolute_path), error.validator) for error in validator.iter_errors(broken)}
    assert errors == {
        (("cookies", 0, "lifetime", "unit"), "enum"),
        (("cookies", 0, "lifetime"), "oneOf"),
        (("providers", 0), "required"),
        (("categories", 0, "key"), "pattern"),
    }
