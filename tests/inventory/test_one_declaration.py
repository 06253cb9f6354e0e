"""A field is declared once: given a model column (and its migration), one ``Field`` in
``inventory.kinds`` puts it in the CSV, XLSX and JSON exports, the JSON Schema, the import
(read, compared, written) and the byte-identical JSON round trip.

The field here is a throwaway: a ``colour`` column added to the cookie table and one Field
appended to ``COOKIE``, in a separate interpreter so that no other test sees them."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import csv, io, json, sys
from sqlalchemy import Column, String, delete, select
from sqlalchemy.orm import column_property

# 1. The model and its migration: a column and its field rule (create_all stands in for the
# migration).
from models import Cookie
from rules import validation
Cookie.__table__.append_column(Column("colour", String(20), nullable=True))
Cookie.__mapper__.add_property("colour", column_property(Cookie.__table__.c.colour))
Cookie.__field_rules__ = {**Cookie.__field_rules__, "colour": validation.text(20)}

# 2. The declaration: one Field (appended in place, as editing kinds.py would).
from inventory.kinds import COOKIE, Field, Text
colour = Field("colour", Text(20), "Colour", description="A throwaway field.")
object.__setattr__(COOKIE, "fields", COOKIE.fields[:-2] + (colour,) + COOKIE.fields[-2:])
COOKIE._by_name["colour"] = colour

# Nothing else changes: export, import, schema and round trip follow.
from app import create_app
from models import db
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1], "SECRET_KEY": "x",
                  "SECURITY_PASSWORD_SALT": "y", "CHARTE_SIGNAL_FILE": sys.argv[1] + ".signal"})
from inventory.export import export_bytes
from inventory.importing import import_inventory
from inventory.json_schema import inventory_schema
from inventory.seed import load_seed
out = {}
with app.app_context():
    db.create_all()
    load_seed()
    for cookie in db.session.scalars(select(Cookie)):
        cookie.colour = "blue"
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(export_bytes("csv").decode("utf-8-sig"))))
    out["csv_header"] = list(rows[0])
    out["csv_colours"] = sorted({row["colour"] for row in rows})
    document = json.loads(export_bytes("json"))
    out["json_colours"] = sorted({cookie["colour"] for cookie in document["cookies"]})
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(export_bytes("xlsx")))["Cookies"]
    out["xlsx_header"] = [cell.value for cell in sheet[1]]
    out["schema"] = inventory_schema()["properties"]["cookies"]["items"]["properties"]["colour"]

    # A CSV that changes the colour of one cookie: planned as an update of that field, applied.
    rows[0]["colour"] = "green"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    report = import_inventory(text.getvalue().encode(), filename="colours.csv", dry_run=False)
    out["csv_update"] = [list(c.fields) for c in report.changes if c.action == "update"]
    db.session.expire_all()
    out["stored"] = db.session.scalars(select(Cookie.colour).where(Cookie.name == rows[0]["name"])).one()

    # The JSON backup, restored into an empty database, exports to the same bytes.
    first = export_bytes("json")
    for name in ("record_change", "change_set", "cookie_purpose", "cookie", "purpose", "provider", "category", "site_settings", "inventory_state"):
        db.session.execute(delete(db.metadata.tables[name]))
    db.session.commit()
    restored = import_inventory(first, filename="backup.json", dry_run=False)
    db.session.expire_all()
    out["round_trip"] = restored.applied and export_bytes("json") == first
    out["invalid"] = [str(p) for c in import_inventory(first.replace(b'"colour": "blue"', b'"colour": "' + b"x" * 30 + b'"'),
                      filename="b.json").rejected for p in c.problems][:1]
print(json.dumps(out))
"""


def test_one_field_declared_once_reaches_every_format(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "colour.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["csv_header"][-3:] == ["notes", "colour", "updated_at"]
    assert out["xlsx_header"] == out["csv_header"]
    assert out["csv_colours"] == out["json_colours"] == ["blue"]
    assert out["schema"] == {"type": ["string", "null"], "maxLength": 20, "description": "A throwaway field."}
    assert out["csv_update"] == [[["colour", "blue", "green"]]]
    assert out["stored"] == "green"
    assert out["round_trip"] is True
    assert (
        out["invalid"] and "«\u00a0colour\u00a0»" in out["invalid"][0] and "20" in out["invalid"][0]
    )  # French: no request
