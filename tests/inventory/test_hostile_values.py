"""Hostile values in a JSON backup (huge or malformed integers, dates outside the calendar,
lone surrogates, numbers beyond the database's columns) are row problems with a message,
found by the dry run, never an exception at preview or confirm."""

import json

import pytest

from inventory.export import export_bytes
from inventory.importing import import_inventory
from rules.validation import InventoryError, text
from tests.helpers import visible_text
from tests.inventory.conftest import checksum

HUGE = "1" * 5000
PLACEHOLDER = "__RAW__"


def backup_with(section, index, field, value, raw=None):
    """The current backup, entry ``index`` of ``section`` with ``field`` set to ``value``; a
    ``raw`` text replaces the value as written (numbers json.dumps cannot write)."""
    document = json.loads(export_bytes("json"))
    entry = document[section][index]
    if isinstance(field, tuple):
        entry[field[0]][field[1]] = PLACEHOLDER if raw is not None else value
    else:
        entry[field] = PLACEHOLDER if raw is not None else value
    data = json.dumps(document, ensure_ascii=True)
    if raw is not None:
        data = data.replace(f'"{PLACEHOLDER}"', raw)
    return data.encode()


def renamed(section, index, key, value):
    document = json.loads(export_bytes("json"))
    document[section][index][key] = value
    return json.dumps(document, ensure_ascii=True).encode()


# (id, factory, words of the row's message)
CASES = [
    ("5,000-digit position", lambda: backup_with("categories", 0, "position", None, raw=HUGE), "digits"),
    ("5,000-digit lifetime", lambda: backup_with("cookies", 0, ("lifetime", "amount"), None, raw=HUGE), "digits"),
    ("negative 5,000-digit position", lambda: backup_with("categories", 0, "position", None, raw="-" + HUGE), "digits"),
    ("position --5", lambda: backup_with("categories", 0, "position", "--5"), "whole number"),
    ("position ²", lambda: backup_with("categories", 0, "position", "²"), "whole number"),
    ("30-digit position", lambda: backup_with("categories", 0, "position", None, raw="1" * 30), "digits"),
    ("position 2**31", lambda: backup_with("categories", 0, "position", 2**31), "2147483647"),
    ("position -2**31 - 1", lambda: backup_with("categories", 0, "position", -(2**31) - 1), "2147483647"),
    ("position 1e400", lambda: backup_with("categories", 0, "position", None, raw="1e400"), "whole number"),
    ("position 1e30", lambda: backup_with("categories", 0, "position", 1e30), "2147483647"),
    ("lifetime 1e400", lambda: backup_with("cookies", 0, ("lifetime", "amount"), None, raw="1e400"), "whole number"),
    ("year 99999", lambda: backup_with("cookies", 0, "created_at", "99999-01-01T00:00:00Z"), "date"),
    ("year 0", lambda: backup_with("cookies", 0, "created_at", "0000-01-01T00:00:00Z"), "date"),
    ("past year 9999 by a zone", lambda: backup_with("cookies", 0, "created_at", "9999-12-31T23:59:59-01:00"), "date"),
    ("before year 1 by a zone", lambda: backup_with("cookies", 0, "created_at", "0001-01-01T00:00:00+01:00"), "date"),
    ("lone surrogate in a text", lambda: backup_with("cookies", 0, "service_fr", "Mesure \ud800"), "surrogate"),
    ("lone surrogate in a name", lambda: backup_with("cookies", 0, "name", "\udfff_ga"), "surrogate"),
    ("lone surrogate in a purpose", lambda: backup_with("cookies", 0, "purposes", ["\ud800"]), "surrogate"),
    ("lone surrogate in a unit", lambda: backup_with("cookies", 0, ("lifetime", "unit"), "\ud800"), "surrogate"),
    ("lone surrogate in a field name", lambda: renamed("cookies", 0, "\ud800", 1), "Unknown field"),
]


def encodable(text):
    text.encode("utf-8")
    return True


@pytest.mark.parametrize("name, make, words", CASES, ids=[case[0] for case in CASES])
def test_hostile_json_values_become_row_problems(app, name, make, words):
    data = make()
    before = checksum()
    preview = import_inventory(data, filename="hostile.json")
    assert not preview.problems, preview.summary()
    # The hostile row first; rows that name a rejected record are rejected after it.
    assert preview.rejected, preview.summary()
    problem = preview.rejected[0].problems[0]
    assert words.lower() in str(problem.message).lower(), str(problem)
    assert all(encodable(line) for line in preview.summary())
    applied = import_inventory(data, filename="hostile.json", dry_run=False)
    assert not applied.applied and applied.rejected
    assert checksum() == before


def test_a_30_digit_position_is_refused_by_the_preview_not_by_the_confirm(app, editor_client):
    data = backup_with("categories", 0, "position", None, raw="1" * 30)
    preview = editor_client.post(
        "/admin/import/preview",
        data={"file": (__import__("io").BytesIO(data), "backup.json"), "format": "", "csrf_token": editor_client.csrf},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert 'class="change-rejected"' in preview.get_data(as_text=True), visible_text(preview)


def test_a_backup_with_lone_surrogates_previews_in_the_back_office(app, editor_client):
    data = renamed("cookies", 0, "\ud800", "\udc00")
    data = data.replace(b'"name": "', b'"name": "\\ud800', 1)
    preview = editor_client.post(
        "/admin/import/preview",
        data={"file": (__import__("io").BytesIO(data), "backup.json"), "format": "", "csrf_token": editor_client.csrf},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert 'class="change-rejected"' in preview.get_data(as_text=True), visible_text(preview)


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb", "\udbff"])
def test_the_text_rule_refuses_lone_surrogates(value):
    with pytest.raises(InventoryError):
        text(100)(value)


def test_the_text_rule_keeps_characters_beyond_the_basic_plane():
    assert text(100)("cookie 🍪") == "cookie 🍪"


def test_a_spreadsheet_cell_with_a_lone_surrogate_is_a_row_problem(app):
    # Bytes decoded as UTF-8 and openpyxl's XML cannot hold one today; the row check
    # stands for any reader that could (openpyxl unescapes _xD800_ in some parts).
    from inventory.importing.report import Where
    from inventory.importing.tabular import read_csv
    from tests.inventory.conftest import cookie_row, csv_bytes

    text = csv_bytes([cookie_row(notes="SURROGATE")]).decode().replace("SURROGATE", "\ud800")
    [record] = read_csv(text, Where("hostile.csv"))
    assert "surrogate" in str(record.problems[0].message)
    assert record.problems[0].column == "notes"
