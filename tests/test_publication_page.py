"""Publication in the back office: the draft's changes, its preview, the checks, Publish (for
publishers and administrators), "ready for review" (for editors), and the records."""

import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from models import PolicyVersion, Purpose, ReviewRequest, db
from tests.helpers import flashes, fresh, html_of, make_cookie, visible_text

pytestmark = pytest.mark.usefixtures("app")


def versions_count():
    return fresh().scalar(select(func.count()).select_from(PolicyVersion))


def reword_sessionid_purpose():
    purpose = fresh().scalars(select(Purpose).where(Purpose.description_en.like("Remember the user%"))).one()
    purpose.description_fr = "Garder la session ouverte"
    purpose.description_en = "Keep the session open"
    db.session.commit()
    return purpose.id


def publish_form(client, **fields):
    data = {"csrf_token": client.csrf, "expected_current": "1", "note_fr": "Finalité reformulée", **fields}
    return client.post("/admin/publication/publish", data=data)


def test_the_page_shows_the_draft_changes_field_by_field(editor_client):
    reword_sessionid_purpose()
    text = visible_text(editor_client.get("/admin/publication/"))
    assert "Se souvenir de l’utilisateur d’une page à une autre." in text
    assert "Garder la session ouverte" in text and "Keep the session open" in text
    assert "Description (français)" in text or "Description (French)" in text


def test_the_preview_shows_the_draft_to_logged_in_users_only_and_is_never_cached(app, editor_client):
    reword_sessionid_purpose()
    preview = editor_client.get("/admin/publication/preview/fr")
    assert preview.status_code == 200
    assert preview.headers["Cache-Control"] == "no-store"
    assert "Garder la session ouverte" in visible_text(preview)
    assert "Garder la session ouverte" not in visible_text(app.test_client().get("/fr/cookies"))
    anonymous = app.test_client().get("/admin/publication/preview/fr")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]


def test_an_editor_cannot_publish_but_can_mark_the_draft_ready_for_review(editor_client, publisher_client):
    reword_sessionid_purpose()
    assert publish_form(editor_client).status_code == 403
    assert versions_count() == 1
    page = html_of(editor_client.get("/admin/publication/"))
    assert "/admin/publication/publish" not in page
    response = editor_client.post("/admin/publication/review", data={"csrf_token": editor_client.csrf, "note": "Relu"})
    assert response.status_code == 302
    overview = visible_text(publisher_client.get("/admin/"))
    assert "1 demande de relecture attend" in overview or "1 request for review waits" in overview
    assert "2" in overview  # two changes: the purpose and the cookie that uses it


def test_a_publisher_publishes_with_a_note_and_visitors_see_it(app, publisher_client):
    reword_sessionid_purpose()
    response = publish_form(publisher_client, note_en="Purpose reworded")
    assert response.status_code == 302
    assert versions_count() == 2
    assert "Garder la session ouverte" in visible_text(app.test_client().get("/fr/cookies"))
    assert "Keep the session open" in visible_text(app.test_client().get("/en/cookies"))
    version = fresh().scalars(select(PolicyVersion).where(PolicyVersion.number == 2)).one()
    assert (version.published_by, version.note_en) == ("publisher@example.com", "Purpose reworded")
    assert "publication" in visible_text(publisher_client.get("/admin/history/")).lower()


def test_publishing_without_a_note_is_refused_and_keeps_what_was_typed(publisher_client):
    reword_sessionid_purpose()
    response = publish_form(publisher_client, note_fr="  ", note_en="Kept text")
    assert response.status_code == 409
    assert versions_count() == 1
    assert "Kept text" in html_of(response)
    assert any("note" in message.lower() for _, message in flashes(response))


def test_a_publisher_who_reviewed_an_older_version_is_told(publisher_client):
    reword_sessionid_purpose()
    response = publish_form(publisher_client, expected_current="0")
    assert response.status_code == 409
    assert versions_count() == 1


def test_a_failing_check_links_to_the_record_and_french_only_lets_it_through(publisher_client):
    purpose_id = reword_sessionid_purpose()
    purpose = fresh().get(Purpose, purpose_id)
    purpose.description_en = None
    db.session.commit()
    page = html_of(publisher_client.get("/admin/publication/"))
    assert f"/admin/purpose/edit/?id={purpose_id}" in page
    refused = publish_form(publisher_client)
    assert refused.status_code == 422 and versions_count() == 1
    done = publish_form(publisher_client, french_only=[f"purposes:{purpose_id}"])
    assert done.status_code == 302 and versions_count() == 2


def test_the_versions_list_offers_each_record(publisher_client):
    page = html_of(publisher_client.get("/admin/publication/"))
    for fmt in ("pdf", "html", "json"):
        assert f"/admin/publication/versions/1.{fmt}" in page


def test_the_html_record_is_self_contained_and_states_the_version_and_digest(publisher_client):
    version = fresh().scalars(select(PolicyVersion)).one()
    response = publisher_client.get("/admin/publication/versions/1.html?lang=en")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    html = response.get_data(as_text=True)
    assert '<link rel="stylesheet"' not in html and "<script" not in html
    assert "<style>" in html and version.digest in html
    assert "version 1" in visible_text(html)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_pdf_record_renders_and_names_its_version(publisher_client, tmp_path):
    version = fresh().scalars(select(PolicyVersion)).one()
    response = publisher_client.get("/admin/publication/versions/1.pdf?lang=fr")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pdf = tmp_path / "v1.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "version 1" in text and version.digest in text.replace("\n", "")
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 1000


def test_an_unknown_record_is_a_404(publisher_client):
    assert publisher_client.get("/admin/publication/versions/9.pdf").status_code == 404
    assert publisher_client.get("/admin/publication/versions/1.pdf?lang=de").status_code == 404


def test_the_review_note_is_bounded(editor_client):
    editor_client.post("/admin/publication/review", data={"csrf_token": editor_client.csrf, "note": "x" * 5000})
    assert fresh().scalar(select(func.count()).select_from(ReviewRequest)) == 0


def test_a_new_cookie_counts_in_the_overview(editor_client):
    make_cookie(name="waiting")
    text = visible_text(editor_client.get("/admin/"))
    assert "1 change" in text or "1 modification" in text


def test_the_page_offers_each_consent_managers_configuration_of_the_current_version(viewer_client, client):
    import json

    text = visible_text(viewer_client.get("/admin/publication/"))
    assert "data-cookie-policy" in text and "/static/embed/policy.js" in text
    for manager in ("cookieconsent", "klaro", "tarteaucitron"):
        assert f"http://localhost/embed/{manager}.json" in text
        response = viewer_client.get(f"/admin/publication/configurations/{manager}.json")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f'attachment; filename="{manager}-config-v1.json"'
        # The file is what the site would read live: the same published version.
        assert json.loads(response.data) == json.loads(client.get(f"/embed/{manager}.json").data)
    make_cookie(name="draft_only")  # the draft is never in it
    assert b"draft_only" not in viewer_client.get("/admin/publication/configurations/klaro.json").data


def test_the_configuration_downloads_need_a_login(client):
    response = client.get("/admin/publication/configurations/klaro.json")
    assert response.status_code in (302, 401, 403) and b"services" not in response.data


def test_before_any_publication_there_is_nothing_to_place_on_the_site(viewer_client):
    from tests.helpers import unpublish_everything

    unpublish_everything()
    text = visible_text(viewer_client.get("/admin/publication/"))
    assert "Once a version is published" in text or "Une fois une version publiée" in text
    assert viewer_client.get("/admin/publication/configurations/klaro.json").status_code == 404
