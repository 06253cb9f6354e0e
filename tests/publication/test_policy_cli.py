"""`flask policy publish` and `flask policy verify`, for scripted flows."""

from sqlalchemy import select, text

from models import PolicyVersion, Purpose, db
from tests.helpers import fresh


def test_publish_prints_the_changes_and_publishes(runner):
    result = runner.invoke(args=["policy", "publish", "--note", "Première version"])
    assert result.exit_code == 0, result.output
    assert "nothing published yet" in result.output
    assert "cookies: 4 added" in result.output
    assert "Published version 1" in result.output
    assert fresh().scalars(select(PolicyVersion.number)).all() == [1]


def test_a_dry_run_publishes_nothing_and_a_failing_check_exits_1(runner):
    db.session.scalars(select(Purpose)).first().description_en = None
    db.session.commit()
    dry = runner.invoke(args=["policy", "publish", "--note", "Essai", "--dry-run"])
    assert dry.exit_code == 1 and "missing-english" in dry.output
    refused = runner.invoke(args=["policy", "publish", "--note", "Essai"])
    assert refused.exit_code == 1 and "Refused" in refused.output
    assert fresh().scalars(select(PolicyVersion)).all() == []
    waived = runner.invoke(args=["policy", "publish", "--note", "Essai", "--french-only"])
    assert waived.exit_code == 0, waived.output


def test_verify_says_intact_then_names_a_tampered_version(runner, app):
    runner.invoke(args=["policy", "publish", "--note", "Un"])
    result = runner.invoke(args=["policy", "verify"])
    assert result.exit_code == 0 and "intact" in result.output
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE policy_version SET note_fr = 'x', digest = 'forged' WHERE number = 1"))
    broken = runner.invoke(args=["policy", "verify"])
    assert broken.exit_code == 1
    assert "Version 1 is broken" in broken.output
