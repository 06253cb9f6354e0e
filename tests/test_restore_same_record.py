"""A restore brings back the record the version belongs to, never another record that has
(or had) the same number: ids are never reused, and the history tells records apart by their
creations and deletions, not by their id alone."""

from sqlalchemy import func, select

from models import Category, Cookie, Provider, Purpose, RecordChange, SiteSettings, db
from tests.helpers import charte_rows, fresh, make_cookie, publish_draft, publish_if_changed, visible_text


def deletion_of(model, record_id):
    return db.session.scalars(
        select(RecordChange).where(
            RecordChange.model == model, RecordChange.record_id == record_id, RecordChange.action == "delete"
        )
    ).one()


def restore(client, change, **kwargs):
    return client.post(f"/admin/history/restore/{change.id}", data={"csrf_token": client.csrf}, **kwargs)


def policy_names(client):
    return {row["name"].split(" ")[0] for row in charte_rows(client.get("/en/cookies"))}


def test_ids_of_deleted_records_are_never_reused(app):
    """SQLite reuses the highest id after a delete unless the table uses AUTOINCREMENT."""
    provider = Provider(name="Short-lived SAS")
    purpose = Purpose(description_fr="Finalité éphémère")
    category = Category(key="ephemeral", name_fr="Éphémère", description_fr="Catégorie éphémère")
    settings = SiteSettings(
        site_name="Éphémère", site_url="https://example.org", controller_name="X", contact_email="x@example.org"
    )
    db.session.add_all([provider, purpose, category, settings])
    db.session.commit()
    cookie = make_cookie(name="short_lived")
    records = [provider, purpose, category, settings, cookie]
    old = {type(record): record.id for record in records}
    db.session.delete(cookie)
    db.session.commit()
    for record in records[:-1]:
        db.session.delete(record)
    db.session.commit()

    provider = Provider(name="Newcomer SAS")
    purpose = Purpose(description_fr="Finalité nouvelle")
    category = Category(key="newcomer", name_fr="Nouvelle", description_fr="Catégorie nouvelle")
    settings = SiteSettings(
        site_name="Nouveau", site_url="https://example.org", controller_name="Y", contact_email="y@example.org"
    )
    db.session.add_all([provider, purpose, category, settings])
    db.session.commit()
    cookie = make_cookie(name="newcomer")
    for record in (provider, purpose, category, settings, cookie):
        assert record.id > old[type(record)], f"{type(record).__name__} reused id {record.id}"


def test_restoring_a_deleted_cookie_never_replaces_the_cookie_created_after_it(editor_client, client):
    """The red team's case: delete the newest cookie, create another (SQLite gave it the same
    id), restore the deleted one: the new cookie was gone from the inventory and the policy."""
    gone = make_cookie(name="gone_cookie")
    gone_id = gone.id
    editor_client.post("/admin/cookie/delete/", data={"id": gone_id, "csrf_token": editor_client.csrf})
    newcomer = make_cookie(name="newcomer_cookie")
    newcomer_id = newcomer.id

    response = restore(editor_client, deletion_of("cookie", gone_id), follow_redirects=True)
    assert response.status_code == 200
    fresh()
    newcomer = db.session.get(Cookie, newcomer_id)
    assert newcomer is not None and newcomer.name == "newcomer_cookie"
    assert {"gone_cookie", "newcomer_cookie"} <= set(db.session.scalars(select(Cookie.name)))
    publish_draft()
    assert {"gone_cookie", "newcomer_cookie"} <= policy_names(client)


def test_restoring_a_deleted_cookie_whose_id_was_reused_recreates_it_under_a_new_id(editor_client, client):
    """Ids reused before AUTOINCREMENT (an old SQLite database): the history tells the two
    cookies apart, and the deleted one comes back beside the other, under a new id."""
    gone = make_cookie(name="gone_cookie")
    gone_id = gone.id
    db.session.delete(gone)
    db.session.commit()
    make_cookie(name="reuser_cookie", id=gone_id)

    response = restore(editor_client, deletion_of("cookie", gone_id), follow_redirects=True)
    assert "gone_cookie" in visible_text(response)
    fresh()
    assert db.session.get(Cookie, gone_id).name == "reuser_cookie"
    restored = db.session.scalars(select(Cookie).where(Cookie.name == "gone_cookie")).one()
    assert restored.id != gone_id
    publish_draft()
    assert {"gone_cookie", "reuser_cookie"} <= policy_names(client)


def test_restoring_a_deleted_provider_whose_id_was_reused_keeps_the_other_provider(editor_client):
    gone = Provider(name="Gone SAS", website="https://gone.example")
    db.session.add(gone)
    db.session.commit()
    gone_id = gone.id
    db.session.delete(gone)
    db.session.commit()
    db.session.add(Provider(id=gone_id, name="Reuser SAS"))
    db.session.commit()

    restore(editor_client, deletion_of("provider", gone_id))
    fresh()
    assert db.session.get(Provider, gone_id).name == "Reuser SAS"
    assert db.session.scalar(select(func.count()).where(Provider.name == "Gone SAS")) == 1


def test_an_old_version_of_a_provider_is_not_restored_onto_the_provider_that_reused_its_id(editor_client):
    gone = Provider(name="Gone SAS")
    db.session.add(gone)
    db.session.commit()
    gone_id = gone.id
    creation = db.session.scalars(
        select(RecordChange).where(RecordChange.model == "provider", RecordChange.record_id == gone_id)
    ).one()
    db.session.delete(gone)
    db.session.commit()
    db.session.add(Provider(id=gone_id, name="Reuser SAS"))
    db.session.commit()

    restore(editor_client, creation)
    fresh()
    assert db.session.get(Provider, gone_id).name == "Reuser SAS"


def deleted_cookie_whose_provider_id_went_to_another_company():
    """A cookie deleted, then its provider "Gone SAS" deleted and its id given to "Wrong Company
    SAS" (as SQLite did before ids were never reused): (cookie id, provider id)."""
    provider = Provider(name="Gone SAS")
    db.session.add(provider)
    db.session.commit()
    provider_id = provider.id
    cookie = make_cookie(name="orphan_cookie", provider=provider)
    cookie_id = cookie.id
    db.session.delete(cookie)
    db.session.commit()
    db.session.delete(db.session.get(Provider, provider_id))
    db.session.commit()
    db.session.add(Provider(id=provider_id, name="Wrong Company SAS"))
    db.session.commit()
    return cookie_id, provider_id


def test_restoring_a_cookie_is_refused_when_its_provider_was_deleted_and_its_id_reused(editor_client, client):
    """The cookie's provider is gone; another company now has its id: restoring the cookie
    would name the wrong company on the policy."""
    cookie_id, provider_id = deleted_cookie_whose_provider_id_went_to_another_company()

    response = restore(editor_client, deletion_of("cookie", cookie_id), follow_redirects=True)
    assert "ne peut pas être restaurée" in visible_text(response)
    fresh()
    assert db.session.scalar(select(func.count()).where(Cookie.name == "orphan_cookie")) == 0
    publish_if_changed()
    assert "orphan_cookie" not in policy_names(client)


def test_restoring_a_cookie_is_refused_when_a_purpose_was_deleted_and_its_id_reused(editor_client):
    purpose = Purpose(description_fr="Finalité disparue")
    db.session.add(purpose)
    db.session.commit()
    purpose_id = purpose.id
    cookie = make_cookie(name="orphan_cookie", purposes=[purpose])
    cookie_id = cookie.id
    db.session.delete(cookie)
    db.session.commit()
    db.session.delete(db.session.get(Purpose, purpose_id))
    db.session.commit()
    db.session.add(Purpose(id=purpose_id, description_fr="Une tout autre finalité"))
    db.session.commit()

    response = restore(editor_client, deletion_of("cookie", cookie_id), follow_redirects=True)
    assert "ne peut pas être restaurée" in visible_text(response)
    fresh()
    assert db.session.scalar(select(func.count()).where(Cookie.name == "orphan_cookie")) == 0


def test_a_deleted_then_restored_provider_still_lets_its_cookies_be_restored(editor_client):
    """A provider deleted and brought back by a restore is the same provider again."""
    provider = Provider(name="Back Again SAS")
    db.session.add(provider)
    db.session.commit()
    provider_id = provider.id
    cookie = make_cookie(name="patient_cookie", provider=provider)
    cookie_id = cookie.id
    db.session.delete(cookie)
    db.session.commit()
    db.session.delete(db.session.get(Provider, provider_id))
    db.session.commit()

    restore(editor_client, deletion_of("provider", provider_id))
    restore(editor_client, deletion_of("cookie", cookie_id))
    fresh()
    restored = db.session.get(Cookie, cookie_id)
    assert restored is not None and restored.provider.name == "Back Again SAS"


def test_a_record_page_shows_the_current_record_apart_from_an_earlier_one_with_its_id(editor_client):
    gone = Provider(name="Gone SAS")
    db.session.add(gone)
    db.session.commit()
    gone_id = gone.id
    db.session.delete(gone)
    db.session.commit()
    db.session.add(Provider(id=gone_id, name="Reuser SAS"))
    db.session.commit()

    page = visible_text(editor_client.get(f"/admin/history/provider/{gone_id}"))
    assert page.index("Reuser SAS") < page.index("Gone SAS")
    assert "Un autre enregistrement portait auparavant ce numéro" in page


def test_a_cookie_version_names_the_provider_it_had_not_the_one_that_took_its_id(editor_client):
    cookie_id, provider_id = deleted_cookie_whose_provider_id_went_to_another_company()

    page = visible_text(editor_client.get(f"/admin/history/cookie/{cookie_id}"))
    assert "Gone SAS (n’est plus dans l’inventaire)" in page
    assert "Wrong Company SAS" not in page
