"""Helpers for the import/export tests: an empty inventory, a checksum of the database's
content, CSV rows in the export's columns, and many cookies inserted quickly."""

import csv
import hashlib
import io

import pytest
from sqlalchemy import delete

from bench.dataset import add_cookies
from inventory.export import COOKIE_COLUMNS, export_bytes
from models import db
from tests.conftest import INVENTORY_TABLES


@pytest.fixture(autouse=True)
def english_messages(request):
    """Messages in English (the CLI's default language is French), to assert on their text."""
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def empty_inventory(app):
    """No categories, cookies, providers, purposes or settings: a new database."""
    for name in INVENTORY_TABLES:
        db.session.execute(delete(db.metadata.tables[name]))
    db.session.commit()
    return app


def checksum():
    """What the database holds, as the hash of a full JSON export (timestamps included)."""
    db.session.expire_all()
    return hashlib.sha256(export_bytes("json")).hexdigest()


def cookie_row(**values):
    """A valid row of our CSV, with ``values`` replacing defaults."""
    row = {
        "name": "_pk_id",
        "domain": "stats.example.org",
        "is_pattern": "no",
        "party": "first",
        "storage_kind": "http_cookie",
        "category": "statistics",
        "provider": "Matomo",
        "service_fr": "Mesure d'audience",
        "service_en": "Audience measurement",
        "purposes_fr": "Compter les visites",
        "purposes_en": "Count visits",
        "lifetime_fr": "",
        "lifetime_en": "",
        "lifetime_unit": "months",
        "lifetime_amount": "13",
        "shown_on_policy": "yes",
        "notes": "",
        "updated_at": "",
    }
    row.update(values)
    return row


def csv_bytes(rows, columns=COOKIE_COLUMNS, delimiter=",", bom=False):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns] if isinstance(row, dict) else row)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def read_csv_export(data):
    text = data.decode("utf-8-sig")
    delimiter = ";" if text.split("\r\n", 1)[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def insert_cookies(count, purposes_per_cookie=1, prefix="c"):
    """``count`` cookies straight through Core (fast), named ``<prefix>000004``, ``<prefix>000005``…
    (numbered on from the cookies already stored): bench/dataset.py's inserter."""
    add_cookies(
        db.session, count, prefix=prefix, purposes_per_cookie=purposes_per_cookie, name_format="{prefix}{number:06d}"
    )
