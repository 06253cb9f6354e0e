"""A database made by `flask db upgrade` alone has the four standard categories (migration
0009), so an Open Cookie Database import works on it; a category that exists is never
overwritten; and no message offers "one of -" when no category exists."""

import importlib.util
from pathlib import Path

from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import select, text

from app import create_app
from inventory import seed
from inventory.importing import import_inventory
from models import Category, Cookie, db
from tests.inventory.conftest import cookie_row, csv_bytes
from tests.inventory.test_open_cookie_database import ocd_bytes, row

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0009_reference_categories.py"


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0009", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _app(tmp_path):
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "migrated.db"), "TESTING": True})


def test_the_migration_copies_the_seed_categories():
    assert _migration().CATEGORIES == seed.CATEGORIES


def test_a_migrated_database_has_the_standard_categories_and_takes_an_ocd_import(tmp_path):
    app = _app(tmp_path)
    with app.app_context(), force_locale("en"):
        upgrade()
        categories = {c.key: c for c in db.session.scalars(select(Category))}
        assert sorted(categories) == sorted(data["key"] for data in seed.CATEGORIES)
        for data in seed.CATEGORIES:
            assert {name: getattr(categories[data["key"]], name) for name in data} == data
            assert categories[data["key"]].version == 1
        rows = [
            row(category=name, name=f"c{index}")
            for index, name in enumerate(("Functional", "Analytics", "Marketing", "Security"))
        ]
        report = import_inventory(ocd_bytes(rows), filename="ocd.csv", dry_run=False)
        assert report.ok and report.applied, report.summary()
        assert db.session.scalar(select(db.func.count()).select_from(Cookie)) == 4
        db.session.remove()
        db.engine.dispose()


def test_the_migration_never_overwrites_an_existing_category(tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="0008_policy_versions")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO category (key, position, consent_required, name_fr, name_en, description_fr, "
                    "description_en, created_at, updated_at, version) VALUES ('necessary', 5, 0, 'Essentiels', "
                    "'Essential', 'Édité', 'Edited', '2025-01-01 00:00:00', '2025-01-01 00:00:00', 3)"
                )
            )
        upgrade()
        necessary = db.session.scalars(select(Category).where(Category.key == "necessary")).one()
        assert (necessary.name_fr, necessary.description_en, necessary.position, necessary.version) == (
            "Essentiels",
            "Edited",
            5,
            3,
        )
        assert db.session.scalar(select(db.func.count()).select_from(Category)) == 4
        # Seeding afterwards adds nothing either.
        assert seed.ensure_categories() == 0
        db.session.remove()
        db.engine.dispose()


def test_without_any_category_the_message_says_so(empty_inventory):
    for data in (ocd_bytes([row()]), csv_bytes([cookie_row()])):
        report = import_inventory(data, filename="in.csv")
        [rejected] = report.rejected
        messages = [str(problem.message) for problem in rejected.problems]
        assert not any("one of -" in message for message in messages), messages
        assert any(
            message.startswith("Unknown category “") and "no category exists yet" in message for message in messages
        )
