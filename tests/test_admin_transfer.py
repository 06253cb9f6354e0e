"""Export and import from the back office: downloads in every format for every role, the
cookie list export following its search, an upload previewed before anything is written,
confirmed into one history entry, and bad uploads refused with a message."""

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import ChangeSet, Cookie, db
from tests.helpers import publish_draft, visible_text


@pytest.mark.parametrize("client_name", ["viewer_client", "editor_client", "admin_client"])
def test_every_role_downloads_each_format(app, request, client_name):
    client = request.getfixturevalue(client_name)
    csv_text = client.get("/admin/export/csv").data.decode("utf-8-sig")
    assert [row["name"] for row in csv.DictReader(io.StringIO(csv_text))] == [
        "cookies_preferences",
        "csrftoken",
        "django_language",
        "sessionid",
    ]
    excel = client.get("/admin/export/csv-excel").data
    assert excel.startswith(b"\xef\xbb\xbf") and b";" in excel.splitlines()[0]
    workbook = load_workbook(io.BytesIO(client.get("/admin/export/xlsx").data), read_only=True)
    assert {"Cookies", "Providers", "Categories", "Purposes"} <= set(workbook.sheetnames)
    document = client.get("/admin/export/json").get_json()
    assert len(document["cookies"]) == 4


def test_anonymous_visitors_cannot_export(client):
    response = client.get("/admin/export/csv")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_cookie_list_export_follows_the_search(viewer_client):
    page = viewer_client.get("/admin/cookie/?search=csrf").get_data(as_text=True)
    link = re.search(r'href="(/admin/cookie/export/csv/\?[^"]*search=csrf[^"]*)"', page).group(1)
    rows = list(csv.DictReader(io.StringIO(viewer_client.get(link.replace("&amp;", "&")).data.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["csrftoken"]


def test_the_cookie_list_export_follows_the_filters(viewer_client):
    for query, expected in (
        ("flt0_7=1", ["cookies_preferences", "csrftoken", "django_language", "sessionid"]),  # sample data
        ("flt0_7=0", []),
    ):
        page = viewer_client.get(f"/admin/cookie/?{query}").get_data(as_text=True)
        link = re.search(r'href="(/admin/cookie/export/csv/\?[^"]*)"', page).group(1)
        rows = list(csv.DictReader(io.StringIO(viewer_client.get(link.replace("&amp;", "&")).data.decode("utf-8-sig"))))
        assert sorted(row["name"] for row in rows) == expected, query


def upload(client, data, name="cookies.csv", fmt=""):
    return client.post(
        "/admin/import/preview",
        data={"file": (io.BytesIO(data), name), "format": fmt, "csrf_token": client.csrf},
        content_type="multipart/form-data",
    )


def new_cookie_csv(client, names=("imported_cookie",)):
    text = client.get("/admin/export/csv").get_data(as_text=True)
    header, first = text.splitlines()[:2]
    return ("\n".join([header] + [first.replace("cookies_preferences", name, 1) for name in names]) + "\n").encode()


def confirm(client, preview, **extra):
    html = preview.get_data(as_text=True)
    fields = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
        for name in ("token", "revision", "name", "format")
    }
    return client.post("/admin/import/confirm", data={**fields, **extra, "csrf_token": client.csrf})


def test_upload_preview_confirm(editor_client, client):
    preview = upload(editor_client, new_cookie_csv(editor_client))
    page = visible_text(preview)
    assert "Import de cookies.csv" in page and "imported_cookie" in page and "Création" in page
    assert db.session.scalar(select(func.count()).select_from(Cookie).where(Cookie.name == "imported_cookie")) == 0

    sets_before = db.session.scalar(select(func.count()).select_from(ChangeSet))
    done = confirm(editor_client, preview)
    assert done.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Cookie).where(Cookie.name == "imported_cookie")) == 1
    new_sets = db.session.scalars(select(ChangeSet).order_by(ChangeSet.id).offset(sets_before)).all()
    assert [(s.source, s.user_email) for s in new_sets] == [("import", "editor@example.com")]
    # Imported into the inventory; visitors read it once it is published.
    assert "imported_cookie" not in client.get("/fr/cookies").get_data(as_text=True)
    publish_draft("Import de cookies.csv")
    assert "imported_cookie" in client.get("/fr/cookies").get_data(as_text=True)
    # The same preview cannot be applied twice.
    again = confirm(editor_client, preview)
    assert again.status_code == 302 and again.headers["Location"].endswith("/admin/import/")


def test_a_preview_is_refused_after_the_inventory_changed(editor_client):
    preview = upload(editor_client, new_cookie_csv(editor_client))
    cookie = db.session.scalars(select(Cookie)).first()
    cookie.notes = "changed meanwhile"
    db.session.commit()
    response = confirm(editor_client, preview)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Cookie).where(Cookie.name == "imported_cookie")) == 0


def test_rejected_rows_block_the_import_unless_skipped(editor_client):
    data = new_cookie_csv(editor_client, names=("good_one", "bad one\x07"))
    preview = upload(editor_client, data)
    page = visible_text(preview)
    assert "Rejetée" in page and "ligne 3" in page
    refused = confirm(editor_client, preview)
    assert db.session.scalar(select(func.count()).select_from(Cookie).where(Cookie.name == "good_one")) == 0
    assert refused.status_code == 200
    preview = upload(editor_client, data)
    confirm(editor_client, preview, skip_invalid="1")
    assert db.session.scalar(select(func.count()).select_from(Cookie).where(Cookie.name == "good_one")) == 1


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "empty.csv", "Le fichier est vide"),
        (b"\x00\x01\x02binary" * 10, "photo.csv", "données binaires"),
        (b"PK\x03\x04 not really a zip", "book.xlsx", "classeur"),
        (b'{"format": "something-else"}', "other.json", "n’est pas un export"),
        (b"a;b;c\n1;2;3\n", "wrong.csv", "Colonne(s) manquante(s)"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_nothing_changes(editor_client, data, name, message):
    before = db.session.scalar(select(func.count()).select_from(Cookie))
    response = upload(editor_client, data, name)
    assert response.status_code == 200
    assert message in visible_text(response)
    assert "Traceback" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Cookie)) == before


def test_an_oversized_upload_gets_413(app, editor_client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = upload(editor_client, b"x" * 4096)
        assert response.status_code == 413
        assert "trop volumineux" in visible_text(response)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit


def test_viewers_cannot_import(viewer_client, editor_client):
    data = new_cookie_csv(editor_client)
    assert viewer_client.get("/admin/import/").status_code == 403
    assert upload(viewer_client, data).status_code == 403


def test_json_backup_round_trip_through_the_back_office(editor_client):
    backup = editor_client.get("/admin/export/json").data
    json.loads(backup)
    preview = upload(editor_client, backup, "backup.json")
    assert "Inchangée" in visible_text(preview)  # a row of the file: feminine, like « Rejetée »


def test_the_preview_counts_each_kind_of_record_apart(editor_client):
    """A cookie row may also create its provider and purposes: one line per kind, not one sum."""
    data = (
        "name,category,provider,service_fr,purposes_fr,lifetime_unit,lifetime_amount\r\n"
        "new_one,statistics,Brand New Provider,Mesure,Une finalité toute neuve,days,30\r\n"
    ).encode()
    html = upload(editor_client, data, name="new.csv").get_data(as_text=True)
    table = html[html.index('class="table table-sm w-auto import-counts"') :]
    table = table[: table.index("</table>")]
    rows = {
        visible_text(row.split("</th>")[0]): [visible_text(cell) for cell in row.split("<td>")[1:]]
        for row in table.split("<tr>")[2:]
    }
    assert rows == {
        "Prestataires": ["1", "0", "0", "0"],
        "Finalités": ["1", "0", "0", "0"],
        "Cookies": ["1", "0", "0", "0"],
    }


def test_the_preview_names_a_rejected_cell_by_our_field_label(editor_client):
    """An Open Cookie Database row whose domain is not one: the reason names our field
    (« Domaine »), with the file's column beside it for finding the cell."""
    from inventory.importing.ocd import HEADER

    row = {
        "ID": "x1",
        "Platform": "Analytics",
        "Category": "Analytics",
        "Cookie / Data Key name": "_endless",
        "Domain": "bad!domain",
        "Description": "Counts visits",
        "Retention period": "2 years",
        "Data Controller": "Example",
        "User Privacy & GDPR Rights Portals": "",
        "Wildcard match": "0",
    }
    data = (",".join(HEADER) + "\n" + ",".join(row[column] for column in HEADER) + "\n").encode()
    preview = upload(editor_client, data, name="ocd.csv")
    assert "Domaine (Domain) : « bad!domain »" in visible_text(preview)
    assert "Domaine (Domain)\u00a0:" in preview.get_data(as_text=True)  # French typography
