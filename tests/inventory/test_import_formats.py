"""Importing our CSV (both flavours), XLSX and JSON: each row is planned as create, update,
unchanged or rejected; a dry run writes nothing; applying writes exactly the plan."""

import io
import json

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from inventory.export import COOKIE_COLUMNS, export_bytes
from inventory.importing import import_inventory
from models import Cookie, InventoryState, Provider, Purpose, db
from tests.inventory.conftest import checksum, cookie_row, csv_bytes, read_csv_export


def cookie(name, domain="stats.example.org"):
    db.session.expire_all()
    return db.session.scalars(select(Cookie).where(Cookie.name == name, Cookie.domain == domain)).one_or_none()


def xlsx_bytes(rows, columns=COOKIE_COLUMNS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cookies"
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FORMS = {
    "csv": lambda rows: csv_bytes(rows),
    "csv-excel": lambda rows: csv_bytes(rows, delimiter=";", bom=True),
    "xlsx": xlsx_bytes,
}


@pytest.mark.parametrize("form", FORMS)
def test_a_new_cookie_row_creates_the_cookie_its_provider_and_purposes(app, form):
    data = FORMS[form](
        [cookie_row(purposes_fr="Compter les visites | Améliorer le site", purposes_en="Count visits | ")]
    )
    report = import_inventory(data, filename="new." + form, dry_run=False)
    assert report.ok and report.applied, report.summary()
    assert report.format == ("xlsx" if form == "xlsx" else "csv")
    assert report.counts("cookie") == {"create": 1, "update": 0, "unchanged": 0, "rejected": 0}
    assert report.counts("provider")["create"] == 1 and report.counts("purpose")["create"] == 2
    created = cookie("_pk_id")
    assert created.provider.name == "Matomo"
    assert created.category.key == "statistics"
    assert (created.lifetime_unit, created.lifetime_amount) == ("months", 13)
    assert sorted((p.description_fr, p.description_en) for p in created.purposes) == [
        ("Améliorer le site", None),
        ("Compter les visites", "Count visits"),
    ]


@pytest.mark.parametrize("form", FORMS)
def test_a_changed_row_updates_only_what_changed_and_says_so(app, form):
    import_inventory(FORMS[form]([cookie_row()]), filename="a", dry_run=False)
    data = FORMS[form](
        [
            cookie_row(lifetime_amount="6", shown_on_policy="no"),
            cookie_row(name="_pk_ses", lifetime_unit="minutes", lifetime_amount="30"),
        ]
    )
    report = import_inventory(data, filename="b." + form, dry_run=False)
    assert report.ok, report.summary()
    actions = {change.key: change for change in report.changes if change.kind == "cookie"}
    update = actions["“_pk_id” (stats.example.org)"]
    assert update.action == "update"
    assert update.fields == (("lifetime_amount", 13, 6), ("shown_on_policy", True, False))
    assert actions["“_pk_ses” (stats.example.org)"].action == "create"
    assert cookie("_pk_id").lifetime_amount == 6 and cookie("_pk_id").shown_on_policy is False
    again = import_inventory(data, filename="b." + form, dry_run=False)
    assert [c.action for c in again.changes] == ["unchanged", "unchanged"]


def test_a_dry_run_returns_the_plan_and_writes_nothing(app):
    before, revision = checksum(), db.session.get(InventoryState, 1).revision
    report = import_inventory(csv_bytes([cookie_row()]), filename="plan.csv")
    assert report.dry_run and not report.applied and report.ok
    assert [c.action for c in report.changes] == ["create", "create", "create"]
    assert [c.kind for c in report.changes] == ["provider", "purpose", "cookie"]
    assert checksum() == before
    assert db.session.get(InventoryState, 1).revision == revision


def test_applying_an_import_is_one_change_of_the_inventory(app):
    revision = db.session.get(InventoryState, 1).revision
    rows = [cookie_row(name=f"c{index}") for index in range(20)]
    assert import_inventory(csv_bytes(rows), filename="x.csv", dry_run=False).applied
    db.session.expire_all()
    assert db.session.get(InventoryState, 1).revision == revision + 1


def test_an_existing_purpose_is_matched_by_its_french_text_and_its_english_updated(app):
    report = import_inventory(
        csv_bytes(
            [cookie_row(purposes_fr="Se souvenir de la langue du visiteur", purposes_en="Remember the language")]
        ),
        filename="p.csv",
        dry_run=False,
    )
    assert report.ok
    purpose_changes = [c for c in report.changes if c.kind == "purpose"]
    assert [(c.action, c.fields) for c in purpose_changes] == [
        ("update", (("description_en", "Remember the visitor's language", "Remember the language"),))
    ]
    assert db.session.scalar(select(func.count()).select_from(Purpose)) == 4


def test_an_empty_english_purposes_cell_leaves_the_english_texts_alone(app):
    row = cookie_row(purposes_fr="Se souvenir de la langue du visiteur", purposes_en="")
    report = import_inventory(csv_bytes([row]), filename="p.csv")
    assert not [c for c in report.changes if c.kind == "purpose"]


def test_rows_without_optional_columns_take_the_defaults(app):
    columns = ("name", "category", "provider", "service_fr", "purposes_fr", "lifetime_unit", "lifetime_amount")
    report = import_inventory(csv_bytes([cookie_row(domain="")], columns=columns), filename="min.csv", dry_run=False)
    assert report.ok, report.summary()
    created = cookie("_pk_id", "")
    assert (created.party, created.storage_kind, created.shown_on_policy, created.service_en) == (
        "first",
        "http_cookie",
        True,
        None,
    )


def test_xlsx_import_reads_the_provider_and_purpose_sheets(app):
    workbook = load_workbook(io.BytesIO(export_bytes("xlsx")))
    workbook["Providers"]["B2"] = "https://www.opendatasoft.com/fr"
    workbook["Purposes"]["B2"] = "Fetch data through API calls"
    workbook["Cookies"]["B2"] = "other.example.org"
    out = io.BytesIO()
    workbook.save(out)
    report = import_inventory(out.getvalue(), filename="edited.xlsx", dry_run=False)
    assert report.ok, "\n".join(report.summary())
    summary = "\n".join(report.summary())
    assert "update provider “Opendatasoft”" in summary
    assert "update purpose “Protéger les formulaires et les appels API" in summary
    assert "create cookie “cookies_preferences” (other.example.org)" in summary
    db.session.expire_all()
    assert db.session.scalars(select(Provider.website)).one() == "https://www.opendatasoft.com/fr"


def test_json_import_updates_settings_categories_providers_purposes_and_cookies(app):
    document = json.loads(export_bytes("json"))
    document["settings"]["site_name"] = "Datajoule SAS"
    document["categories"][1]["name_en"] = "Preferences"
    document["providers"][0]["country"] = "BE"
    document["purposes"][0]["description_en"] = "Fetch data"
    document["cookies"][0]["lifetime"] = {"unit": "session", "amount": None}
    report = import_inventory(json.dumps(document).encode(), filename="backup.json", dry_run=False)
    assert report.ok, report.summary()
    assert {c.kind: c.action for c in report.changes if c.action == "update"} == {
        "settings": "update",
        "category": "update",
        "provider": "update",
        "purpose": "update",
        "cookie": "update",
    }
    exported = json.loads(export_bytes("json"))
    assert exported["settings"]["site_name"] == "Datajoule SAS"
    assert exported["cookies"][0]["lifetime"] == {"unit": "session", "amount": None}


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx"])
def test_spreadsheet_round_trip_gives_back_the_same_cookie_rows(app, fmt):
    first = export_bytes(fmt)
    db.session.execute(Cookie.__table__.delete())
    db.session.commit()
    report = import_inventory(first, filename="again." + fmt, dry_run=False)
    assert report.ok, report.summary()
    if fmt == "xlsx":

        def rows(data):
            sheet = load_workbook(io.BytesIO(data))["Cookies"]
            return [row[:-1] for row in sheet.iter_rows(values_only=True)]
    else:

        def rows(data):
            return [{k: v for k, v in row.items() if k != "updated_at"} for row in read_csv_export(data)]

    assert rows(export_bytes(fmt)) == rows(first)
