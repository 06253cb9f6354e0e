"""The comparison of two policy documents, record by record and field by field (no database)."""

from inventory.publication.diff import ADDED, CHANGED, REMOVED, diff_documents, summary


def document(**changes):
    base = {
        "publisher": {"site_name": "Datajoule", "contact_email": "dpo@example.com"},
        "categories": [
            {"key": "necessary", "consent_required": False, "name": {"fr": "Nécessaires", "en": "Necessary"}}
        ],
        "providers": [{"id": 1, "name": "Opendatasoft", "country": "FR"}],
        "purposes": [{"id": 7, "description": {"fr": "Garder la session", "en": "Keep the session"}}],
        "cookies": [
            {
                "id": 3,
                "name": "sessionid",
                "provider": "Opendatasoft",
                "provider_id": 1,
                "purposes": [{"fr": "Garder la session", "en": "Keep the session"}],
                "purpose_ids": [7],
                "lifetime": {"unit": "years", "amount": 1},
            }
        ],
    }
    base.update(changes)
    return base


def test_nothing_published_yet_lists_every_record_as_added():
    changes = diff_documents(None, document())
    assert {(c.section, c.action) for c in changes} == {
        ("publisher", ADDED),
        ("categories", ADDED),
        ("providers", ADDED),
        ("purposes", ADDED),
        ("cookies", ADDED),
    }


def test_the_same_document_has_no_change():
    assert diff_documents(document(), document()) == []


def test_a_changed_purpose_text_shows_old_and_new_in_both_languages():
    new = document(purposes=[{"id": 7, "description": {"fr": "Maintenir la connexion", "en": "Keep you signed in"}}])
    [change] = diff_documents(document(), new)
    assert (change.section, change.action, change.key) == ("purposes", CHANGED, 7)
    [field] = change.fields
    assert field.name == "description"
    assert field.old == {"fr": "Garder la session", "en": "Keep the session"}
    assert field.new == {"fr": "Maintenir la connexion", "en": "Keep you signed in"}


def test_a_cookie_added_removed_and_changed():
    old = document()
    renewed = dict(old["cookies"][0], lifetime={"unit": "months", "amount": 13})
    added = dict(old["cookies"][0], id=4, name="csrftoken")
    new = document(cookies=[renewed, added])
    changes = diff_documents(old, new)
    assert [(c.action, c.key) for c in changes] == [(CHANGED, 3), (ADDED, 4)]
    assert [f.name for f in changes[0].fields] == ["lifetime"]
    gone = diff_documents(new, document(cookies=[added]))
    assert [(c.action, c.key, c.old["name"]) for c in gone] == [(REMOVED, 3, "sessionid")]


def test_links_between_records_are_not_fields_of_their_own():
    old = document()
    moved = dict(old["cookies"][0], provider="Matomo", provider_id=2)
    [change] = diff_documents(old, document(cookies=[moved]))
    assert [f.name for f in change.fields] == ["provider"]


def test_publisher_and_category_changes_are_found_by_key():
    new = document(
        publisher={"site_name": "Datajoule SAS", "contact_email": "dpo@example.com"},
        categories=[{"key": "necessary", "consent_required": True, "name": {"fr": "Nécessaires", "en": "Necessary"}}],
    )
    changes = diff_documents(document(), new)
    assert [(c.section, [f.name for f in c.fields]) for c in changes] == [
        ("publisher", ["site_name"]),
        ("categories", ["consent_required"]),
    ]
    assert summary(changes) == {"publisher": {CHANGED: 1}, "categories": {CHANGED: 1}}
