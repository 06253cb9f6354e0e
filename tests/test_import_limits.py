"""An upload costs bounded time, memory and disk: spreadsheets are measured before openpyxl
parses them, a back-office preview has a row cap (the command line a larger one), one
preview per person at a time, one pending upload per person, kept an hour at most, in a
folder with a total cap that only the application's user can read, and a confirm token of
the wrong shape is a 400, never a 500."""

import io
import os
import re
import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from admin import transfer
from bench.bench_import import csv_of, shared_strings_bomb, wide_dimension_xlsx, xlsx_of
from inventory.importing import import_inventory
from models import Cookie, User, db
from tests.helpers import visible_text


def upload(client, data, name="cookies.csv", fmt=""):
    return client.post(
        "/admin/import/preview",
        data={"file": (io.BytesIO(data), name), "format": fmt, "csrf_token": client.csrf},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def confirm_fields(preview):
    html = preview.get_data(as_text=True)
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
        for name in ("token", "revision", "name", "format")
    }


def pending(app):
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.glob("*.upload")) if folder.exists() else []


@pytest.fixture
def small_caps(app):
    """A back office that previews at most 100 rows (its other bounds scale with that)."""
    saved = app.config.get("IMPORT_PREVIEW_MAX_ROWS")
    app.config["IMPORT_PREVIEW_MAX_ROWS"] = 100
    yield app
    app.config["IMPORT_PREVIEW_MAX_ROWS"] = saved


@pytest.fixture
def no_openpyxl(monkeypatch):
    """openpyxl must not be asked to open the workbook."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook that should have been refused before")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.fixture(autouse=True)
def empty_pending_folder(app):
    for path in pending(app):
        path.unlink()
    yield
    for path in pending(app):
        path.unlink()


# --- Finding 4: time and memory ---------------------------------------------------------------


def test_a_shared_strings_bomb_is_refused_before_openpyxl_parses_it(small_caps, editor_client, no_openpyxl):
    response = upload(editor_client, shared_strings_bomb(50_000), "bomb.xlsx")
    page = visible_text(response)
    assert response.status_code == 200
    assert "chaînes partagées" in page, page
    assert not pending(small_caps)


def test_the_command_line_limits_also_bound_the_shared_strings(app, no_openpyxl):
    from inventory.importing import Limits

    report = import_inventory(shared_strings_bomb(2_000_000), filename="bomb.xlsx", limits=Limits())
    assert report.problems and "chaînes partagées" in str(report.problems[0])


def test_a_sheet_over_the_row_cap_is_refused_before_openpyxl_parses_it(small_caps, editor_client, no_openpyxl):
    response = upload(editor_client, xlsx_of(101), "big.xlsx")
    page = visible_text(response)
    assert "100 lignes" in page and "flask inventory import" in page, page


def test_a_sheet_claiming_the_largest_dimension_is_read_by_its_real_cells(app):
    report = import_inventory(wide_dimension_xlsx(3), filename="wide.xlsx")
    assert report.rows == 3, report.summary()


def test_a_back_office_preview_is_capped_in_rows_and_points_to_the_command_line(small_caps, editor_client):
    before = db.session.scalar(select(func.count()).select_from(Cookie))
    response = upload(editor_client, csv_of(101), "big.csv")
    page = visible_text(response)
    assert "100 lignes" in page and "flask inventory import" in page, page
    assert not pending(small_caps)
    # The same file is within the command line's bounds.
    report = import_inventory(csv_of(101), filename="big.csv")
    assert not report.problems and report.rows == 101
    assert db.session.scalar(select(func.count()).select_from(Cookie)) == before


@pytest.mark.parametrize("flood", [b"{}", b"[]", b"0"])
def test_a_json_flood_is_refused_at_the_row_cap(small_caps, editor_client, flood):
    from bench.bench_import import json_flood

    response = upload(editor_client, json_flood(200_000, flood), "flood.json")
    page = visible_text(response)
    assert "flask inventory import" in page, page


def test_one_preview_per_user_at_a_time(app, editor_client, admin_client):
    editor = db.session.scalars(select(User).where(User.email == "editor@example.com")).one()
    data = csv_of(2)
    with transfer.preview_slot(app, editor.id) as free:
        assert free
        busy = upload(editor_client, data)
        assert "Un aperçu d’import est déjà en cours" in visible_text(busy)
        assert not pending(app)
        # Another person is not held up.
        assert "Confirmer l’import" in visible_text(upload(admin_client, data)) or pending(app)
    assert "Confirmer l’import" in visible_text(upload(editor_client, data))


# --- Finding 11: pending uploads --------------------------------------------------------------


def test_a_new_preview_replaces_the_users_previous_pending_upload(app, editor_client):
    first = upload(editor_client, csv_of(1))
    second = upload(editor_client, csv_of(2))
    assert len(pending(app)) == 1
    stale = editor_client.post(
        "/admin/import/confirm", data={**confirm_fields(first), "csrf_token": editor_client.csrf}
    )
    assert stale.status_code == 302 and stale.headers["Location"].endswith("/admin/import/")
    done = editor_client.post(
        "/admin/import/confirm", data={**confirm_fields(second), "csrf_token": editor_client.csrf}
    )
    assert done.status_code == 302 and "/admin/cookie/" in done.headers["Location"]
    assert not pending(app)


def test_pending_uploads_are_deleted_after_confirm_and_after_every_failure(app, editor_client):
    # A confirm that the importer refuses (a rejected row, not skipped).
    bad = csv_of(1).replace(b"statistics", b"no-such-category")
    preview = upload(editor_client, bad)
    assert len(pending(app)) == 1
    refused = editor_client.post(
        "/admin/import/confirm", data={**confirm_fields(preview), "csrf_token": editor_client.csrf}
    )
    assert refused.status_code == 200 and not pending(app)
    # The inventory changed since the preview.
    preview = upload(editor_client, csv_of(1))
    cookie = db.session.scalars(select(Cookie)).first()
    cookie.notes = "changed meanwhile"
    db.session.commit()
    editor_client.post("/admin/import/confirm", data={**confirm_fields(preview), "csrf_token": editor_client.csrf})
    assert not pending(app)
    # A file refused at preview leaves nothing behind.
    upload(editor_client, b"not, a, cookie, file\n1,2,3,4\n")
    assert not pending(app)


def test_pending_uploads_older_than_an_hour_are_pruned(app, editor_client):
    folder = Path(app.instance_path) / "imports"
    folder.mkdir(exist_ok=True)
    old = folder / ("9999-" + "a" * 32 + ".upload")
    old.write_bytes(b"left over")
    an_hour_ago = time.time() - 3601
    os.utime(old, (an_hour_ago, an_hour_ago))
    upload(editor_client, csv_of(1))
    assert not old.exists()
    assert len(pending(app)) == 1


def test_a_preview_is_refused_when_pending_uploads_fill_their_folder(app, editor_client):
    folder = Path(app.instance_path) / "imports"
    folder.mkdir(exist_ok=True)
    someone_else = folder / ("9999-" + "b" * 32 + ".upload")
    someone_else.write_bytes(b"x" * 2000)
    saved = app.config["IMPORT_PENDING_MAX_BYTES"]
    app.config["IMPORT_PENDING_MAX_BYTES"] = 2500
    try:
        response = upload(editor_client, csv_of(5))
    finally:
        app.config["IMPORT_PENDING_MAX_BYTES"] = saved
    page = visible_text(response)
    assert "Trop d’imports attendent" in page, page
    assert pending(app) == [someone_else]


# --- Finding 12: private files ----------------------------------------------------------------


def test_pending_uploads_and_their_folder_are_private(app, editor_client):
    saved = os.umask(0o022)
    try:
        upload(editor_client, csv_of(1))
    finally:
        os.umask(saved)
    folder = Path(app.instance_path) / "imports"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


# --- Finding 9: the token's shape -------------------------------------------------------------


@pytest.mark.parametrize(
    "token", ["a" * 100_000, "1-" + "a" * 100_000, "../../etc/passwd", "", "1-" + "a" * 31, "1-" + "é" * 32, "a" * 32]
)
def test_a_malformed_confirm_token_gets_400_not_500(app, editor_client, token):
    response = editor_client.post(
        "/admin/import/confirm", data={"token": token, "revision": "1", "csrf_token": editor_client.csrf}
    )
    assert response.status_code == 400
