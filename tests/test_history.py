"""Every change is recorded with who, when, where, before and after; the back office shows it
field by field and can restore an earlier version, including a deleted cookie."""

from sqlalchemy import func, select

from models import ChangeSet, Cookie, Provider, Purpose, RecordChange, db
from tests.helpers import publish_draft, visible_text


def cookie_named(name):
    return db.session.scalars(select(Cookie).where(Cookie.name == name)).one()


def edit_form(cookie, **changes):
    data = {
        "name": cookie.name,
        "domain": cookie.domain,
        "party": cookie.party,
        "storage_kind": cookie.storage_kind,
        "provider": str(cookie.provider_id),
        "category": str(cookie.category_id),
        "purposes": [str(p.id) for p in cookie.purposes],
        "service_fr": cookie.service_fr,
        "service_en": cookie.service_en or "",
        "lifetime_unit": cookie.lifetime_unit,
        "lifetime_amount": str(cookie.lifetime_amount or ""),
        "shown_on_policy": "y" if cookie.shown_on_policy else "",
        "notes": cookie.notes or "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in (None, "")}


def save(client, cookie, **changes):
    data = edit_form(cookie, **changes)
    data["csrf_token"] = client.csrf
    return client.post(f"/admin/cookie/edit/?id={cookie.id}", data=data, environ_base={"REMOTE_ADDR": "203.0.113.5"})


def test_an_edit_is_recorded_with_who_where_before_and_after(editor_client):
    cookie = cookie_named("sessionid")
    response = save(editor_client, cookie, service_fr="Connexion des utilisateurs")
    assert response.status_code == 302
    change = db.session.scalars(
        select(RecordChange)
        .where(RecordChange.model == "cookie", RecordChange.record_id == cookie.id)
        .order_by(RecordChange.id.desc())
    ).first()
    assert change.action == "update"
    assert change.before["service_fr"] == "Authentification (front et back office)"
    assert change.after["service_fr"] == "Connexion des utilisateurs"
    assert change.change_set.user_email == "editor@example.com"
    assert change.change_set.remote_addr == "203.0.113.5"
    assert change.change_set.source == "admin"


def test_record_history_shows_the_change_field_by_field_in_french(editor_client):
    cookie = cookie_named("sessionid")
    save(editor_client, cookie, service_fr="Connexion des utilisateurs", lifetime_amount="30")
    page = visible_text(editor_client.get(f"/admin/history/cookie/{cookie.id}"))
    assert "Modifié" in page and "editor@example.com" in page
    assert (
        "Service et emplacement (français) Authentification (front et back office) Connexion des utilisateurs" in page
    )
    assert "Durée 14 30" in page
    assert "Restaurer cette version" in page


def test_restore_brings_back_the_old_text_and_is_itself_recorded(editor_client, client):
    cookie = cookie_named("sessionid")
    cookie_id = cookie.id
    save(editor_client, cookie, service_fr="Connexion des utilisateurs")
    publish_draft()
    assert "Connexion des utilisateurs" in client.get("/fr/cookies").get_data(as_text=True)
    creation = db.session.scalars(
        select(RecordChange).where(
            RecordChange.record_id == cookie_id, RecordChange.model == "cookie", RecordChange.action == "create"
        )
    ).one()
    response = editor_client.post(f"/admin/history/restore/{creation.id}", data={"csrf_token": editor_client.csrf})
    assert response.status_code == 302
    last = db.session.scalars(select(ChangeSet).order_by(ChangeSet.id.desc())).first()
    assert last.source == "restore" and last.user_email == "editor@example.com"
    assert "Connexion des utilisateurs" in client.get("/fr/cookies").get_data(as_text=True)  # until published
    publish_draft("Texte d’origine restauré")
    charte = client.get("/fr/cookies").get_data(as_text=True)
    assert "Authentification (front et back office)" in charte
    assert "Connexion des utilisateurs" not in charte


def test_a_deleted_cookie_comes_back_with_its_purposes(editor_client, client):
    cookie = cookie_named("csrftoken")
    purposes = sorted(p.id for p in cookie.purposes)
    cookie_id = cookie.id
    response = editor_client.post("/admin/cookie/delete/", data={"id": cookie_id, "csrf_token": editor_client.csrf})
    assert response.status_code == 302
    assert db.session.get(Cookie, cookie_id) is None
    publish_draft()
    assert "csrftoken" not in client.get("/en/cookies").get_data(as_text=True)

    deletion = db.session.scalars(
        select(RecordChange).where(
            RecordChange.model == "cookie", RecordChange.record_id == cookie_id, RecordChange.action == "delete"
        )
    ).one()
    page = visible_text(editor_client.get(f"/admin/history/cookie/{cookie_id}"))
    assert "Supprimé" in page and "Restaurer l’enregistrement supprimé" in page
    editor_client.post(f"/admin/history/restore/{deletion.id}", data={"csrf_token": editor_client.csrf})

    restored = db.session.get(Cookie, cookie_id)
    assert restored is not None and sorted(p.id for p in restored.purposes) == purposes
    assert "csrftoken" not in client.get("/en/cookies").get_data(as_text=True)  # until published
    publish_draft("Cookie csrftoken restauré")
    assert "csrftoken" in client.get("/en/cookies").get_data(as_text=True)


def test_restore_refuses_clearly_when_a_purpose_is_gone(editor_client):
    cookie = cookie_named("csrftoken")
    cookie_id, purpose = cookie.id, cookie.purposes[0]
    db.session.delete(cookie)
    db.session.commit()
    db.session.delete(db.session.get(Purpose, purpose.id))
    db.session.commit()
    deletion = db.session.scalars(
        select(RecordChange).where(
            RecordChange.model == "cookie", RecordChange.record_id == cookie_id, RecordChange.action == "delete"
        )
    ).one()
    response = editor_client.post(
        f"/admin/history/restore/{deletion.id}", data={"csrf_token": editor_client.csrf}, follow_redirects=True
    )
    assert "ne peut pas être restaurée" in visible_text(response)
    assert db.session.get(Cookie, cookie_id) is None


def test_recent_changes_filter_by_user_model_and_date(editor_client, admin_client):
    save(editor_client, cookie_named("sessionid"), service_fr="Connexion")
    provider = db.session.scalars(select(Provider)).first()
    admin_client.post(
        f"/admin/provider/edit/?id={provider.id}",
        data={
            "name": "Opendatasoft SAS",
            "website": provider.website or "",
            "country": "FR",
            "csrf_token": admin_client.csrf,
        },
    )
    everyone = visible_text(admin_client.get("/admin/history/"))
    assert "editor@example.com" in everyone and "admin@example.com" in everyone
    only_editor = visible_text(admin_client.get("/admin/history/?user=editor@example.com"))
    assert "Opendatasoft SAS" not in only_editor and "sessionid" in only_editor
    only_providers = visible_text(admin_client.get("/admin/history/?model=provider"))
    assert "Opendatasoft SAS" in only_providers and "Connexion" not in only_providers
    assert "Aucune modification ne correspond" in visible_text(admin_client.get("/admin/history/?to=2000-01-01"))


def test_history_is_read_only_and_viewers_cannot_restore(viewer_client, client):
    change = db.session.scalars(select(RecordChange)).first()
    count = db.session.scalar(select(func.count()).select_from(RecordChange))
    assert viewer_client.get("/admin/history/").status_code == 200
    assert "Restaurer" not in viewer_client.get(f"/admin/history/cookie/{change.record_id}").get_data(as_text=True)
    assert (
        viewer_client.post(f"/admin/history/restore/{change.id}", data={"csrf_token": viewer_client.csrf}).status_code
        == 403
    )
    assert client.get("/admin/history/").status_code == 302
    for method in ("delete", "put"):
        assert getattr(viewer_client, method)(f"/admin/history/cookie/{change.record_id}").status_code == 405
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == count


def test_changes_outside_requests_are_attributed_to_their_source(app):
    from inventory.history import recording

    with recording("import"):
        provider = db.session.scalars(select(Provider)).first()
        provider.website = "https://www.opendatasoft.fr"
        db.session.commit()
    last = db.session.scalars(select(ChangeSet).order_by(ChangeSet.id.desc())).first()
    assert last.source == "import" and last.user_email is None


def test_categories_and_purposes_are_named_in_the_language_of_the_page(editor_client):
    """Recorded while the back office spoke French, read in English: the English names."""
    from models import Category
    from tests.helpers import use_english

    category = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    category.name_fr = "Cookies de mesure d'audience"
    purpose = db.session.scalars(select(Purpose).where(Purpose.description_en.is_not(None))).first()
    purpose.description_fr = purpose.description_fr + " (revu)"
    db.session.commit()

    french = visible_text(editor_client.get("/admin/history/"))
    assert "Cookies de mesure d'audience" in french and purpose.description_fr in french
    english = visible_text(use_english(editor_client).get("/admin/history/"))
    assert f"Category : {category.name_en}" in english and f"Purpose : {purpose.description_en}" in english
    assert "Category : Cookies de mesure" not in english  # (the French text stays in the field rows)
    record = visible_text(editor_client.get(f"/admin/history/category/{category.id}"))
    assert category.name_en in record


def test_a_cookies_category_and_purposes_are_named_in_the_language_of_the_page(editor_client):
    from models import Category
    from tests.helpers import use_english

    cookie = cookie_named("sessionid")
    statistics = db.session.scalars(select(Category).where(Category.key == "statistics")).one()
    save(editor_client, cookie, category=str(statistics.id))
    purpose = cookie.purposes[0]
    page = visible_text(use_english(editor_client).get(f"/admin/history/cookie/{cookie.id}"))
    assert f"Category Strictly necessary cookies {statistics.name_en}" in page
    assert purpose.description_en in page and purpose.description_fr not in page
