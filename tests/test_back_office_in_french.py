"""The back office in French has no English left in Flask-Admin's own words (issue 15)."""

from sqlalchemy import select

from models import Cookie, db
from tests.helpers import html_of, visible_text


def test_the_cookie_list_speaks_french(editor_client):
    text = visible_text(editor_client.get("/admin/cookie/"))
    assert "Exporter" in text and "50 lignes par page" in text
    assert "Classeur Excel lisible (.xlsx, dans votre langue)" in text  # the Export menu's formats
    for english in ("Export ", "items", "articles", "XLSX-READABLE"):
        assert english not in text, english


def test_record_pages_say_oui_and_non_and_modifier(editor_client):
    cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    details = visible_text(editor_client.get(f"/admin/cookie/details/?id={cookie.id}"))
    assert "Oui" in details and "True" not in details and "False" not in details
    edit = html_of(editor_client.get(f"/admin/cookie/edit/?id={cookie.id}"))
    assert "Modifier" in visible_text(edit) and "Editer" not in edit


def test_the_history_says_cree_for_a_creation_not_the_date_label(editor_client):
    from tests.helpers import make_cookie

    make_cookie(name="just_made")
    page = editor_client.get("/admin/history/?model=cookie")
    text = visible_text(page)
    assert "Créé" in text
    assert "Créé le" not in text  # the operation, not the label of a creation date


def test_every_time_is_in_the_sites_time_zone_and_says_which(editor_client):
    """A record page and the history write the same moment the same way: Paris time, labelled."""
    from datetime import datetime

    from tests.helpers import fresh, make_cookie

    ident = make_cookie(name="timed").id
    fresh().execute(Cookie.__table__.update().where(Cookie.id == ident).values(updated_at=datetime(2026, 1, 5, 23, 30)))
    db.session.commit()
    details = visible_text(editor_client.get(f"/admin/cookie/details/?id={ident}"))
    assert "06/01/2026 00:30 (heure : France)" in details  # 23:30 UTC is 00:30 in Paris
    assert "2026-01-05 23:30" not in details
    history = visible_text(editor_client.get("/admin/history/"))
    assert "(heure : France)" in history


def test_the_search_box_says_what_it_searches_in_words_that_fit(editor_client):
    html = html_of(editor_client.get("/admin/purpose/"))
    assert 'placeholder="Rechercher dans les finalités"' in html
    assert "Description (français), Description" not in html


def test_every_back_office_page_has_its_language_a_title_and_a_skip_link(editor_client):
    for path in ("/admin/", "/admin/cookie/", "/admin/publication/", "/admin/history/"):
        html = html_of(editor_client.get(path))
        assert '<html lang="fr">' in html, path
        assert html.count("<h1") == 1, path
        assert '<a class="skip-link" href="#main">Aller au contenu</a>' in html and '<main id="main"' in html, path
        assert 'aria-label="Toggle navigation"' not in html and 'aria-label="Menu"' in html, path


def test_flask_admins_own_words_are_our_french(editor_client):
    """Flask-Admin's catalog says « Editer », « continuer à éditer », « A été enregistrée avec
    succès » and « Êtes-vous bien sûr de vouloir  supprimer cet objet? »: ours replaces them."""
    from tests.helpers import flashes, make_cookie

    cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    edit = html_of(editor_client.get(f"/admin/cookie/edit/?id={cookie.id}"))
    assert 'value="Enregistrer et continuer les modifications"' in edit
    assert "éditer" not in edit.lower()
    listing = html_of(editor_client.get("/admin/cookie/"))
    assert "Voulez-vous vraiment supprimer cet enregistrement\u202f?" in listing
    assert "bien sûr" not in listing and "Chercher" not in listing
    doomed = make_cookie(name="to_delete").id
    deleted = editor_client.post(
        "/admin/cookie/delete/", data={"id": doomed, "csrf_token": editor_client.csrf}, follow_redirects=True
    )
    assert flashes(deleted) == [("success", "L’enregistrement a été supprimé.")]
