"""Publishing: numbered versions chained by their digests, checks that refuse with nothing
written, records that cannot be changed, a chain that `verify` proves or faults."""

import threading

import pytest
from sqlalchemy import func, select, text

from inventory.publication.checks import Options
from inventory.publication.versions import (
    PublicationRefused,
    current_version,
    document_of,
    ensure_first_version,
    publish,
    verify,
)
from models import ChangeSet, PolicyVersion, Purpose, RecordChange, db, writing
from models.publication import ImmutableRecord
from tests.helpers import fresh


def count_versions():
    return fresh().scalar(select(func.count()).select_from(PolicyVersion))


def a_purpose():
    return db.session.scalars(select(Purpose).order_by(Purpose.id)).first()


def test_versions_are_numbered_and_chained(app):
    first = publish(db.session, note_fr="Première version")
    assert (first.number, first.previous_digest) == (1, None)
    a_purpose().description_en = "A new English text"
    db.session.commit()
    second = publish(db.session, note_fr="Texte anglais revu", note_en="English text reviewed")
    assert second.number == 2 and second.previous_digest == first.digest
    assert "A new English text" in {p["description"]["en"] for p in document_of(second)["purposes"]}
    assert verify(fresh()) == []


def test_a_failing_check_publishes_nothing_and_says_why(app):
    a_purpose().description_en = None
    db.session.commit()
    with pytest.raises(PublicationRefused) as refused:
        publish(db.session, note_fr="Essai")
    assert [f.rule for f in refused.value.findings] == ["missing-english"]
    assert count_versions() == 0
    purpose = a_purpose()
    version = publish(
        db.session, note_fr="En français seulement", options=Options(french_only={("purposes", purpose.id)})
    )
    assert version.waivers == [{"rule": "missing-english", "record": ["purposes", purpose.id]}]


def test_a_french_change_note_is_required(app):
    for note in ("", "   ", None):
        with pytest.raises(PublicationRefused):
            publish(db.session, note_fr=note)
    assert count_versions() == 0


def test_a_published_version_is_never_changed_or_deleted(app):
    ident = publish(db.session, note_fr="Première version").id
    db.session.get(PolicyVersion, ident).note_fr = "Réécrit"
    with pytest.raises(ImmutableRecord):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(PolicyVersion, ident))
    with pytest.raises(ImmutableRecord):
        db.session.flush()
    db.session.rollback()
    assert fresh().get(PolicyVersion, ident).note_fr == "Première version"


def test_verify_names_the_first_tampered_version(app):
    publish(db.session, note_fr="Un")
    a_purpose().description_en = "Changed"
    db.session.commit()
    publish(db.session, note_fr="Deux")
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE policy_version SET content = replace(content, 'Changed', 'Forged') WHERE number = 2")
        )
    [(version, problem)] = verify(fresh())
    assert version.number == 2 and "SHA-256" in problem


def test_a_publisher_who_reviewed_an_older_version_is_told_and_nothing_is_published(app):
    publish(db.session, note_fr="Un", expected_current=0)
    with pytest.raises(PublicationRefused) as refused:
        publish(db.session, note_fr="Deux", expected_current=0)
    assert "version 1" in str(refused.value)
    assert count_versions() == 1


def test_two_publishers_at_the_same_moment_make_one_version(app):
    start = threading.Barrier(2)
    outcomes = []

    def publisher(name):
        with app.app_context():
            start.wait()
            try:
                with writing():
                    outcomes.append(publish(db.session, note_fr=f"Par {name}", expected_current=0).number)
            except PublicationRefused:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=publisher, args=(name,)) for name in ("Alice", "Bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [1, "refused"]
    assert count_versions() == 1


def test_each_publication_is_in_the_change_history(app):
    ident = publish(db.session, note_fr="Première version").id
    change = (
        fresh()
        .scalars(select(RecordChange).where(RecordChange.model == "policy_version", RecordChange.record_id == ident))
        .one()
    )
    assert change.after["number"] == 1
    assert db.session.get(ChangeSet, change.change_set_id).source == "publish"


def test_a_database_from_before_publication_gets_version_1_from_its_inventory(app):
    assert current_version(db.session) is None
    version = ensure_first_version(db.session)
    assert version.number == 1
    assert {c["name"] for c in document_of(version)["cookies"]} >= {"sessionid", "csrftoken"}
    assert ensure_first_version(db.session).id == version.id  # once


def test_a_draft_that_changes_nothing_visitors_read_is_not_published_again(app):
    publish(db.session, note_fr="Un")
    with pytest.raises(PublicationRefused) as refused:
        publish(db.session, note_fr="Deux")
    assert refused.value.findings == [] and "1" in str(refused.value)
    assert count_versions() == 1
