"""`flask db upgrade` builds exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from models import db, search_indexes
from tests.conftest import POSTGRES_URL, RUN_ID

# Its own database, unique to the run like the suite's.
MIGRATIONS_DB = f"cookie_charte_migrations_{RUN_ID}"


def _drop_migrations_database():
    admin = create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{MIGRATIONS_DB}" WITH (FORCE)'))
    admin.dispose()


def _fresh_url(backend, tmp_path, request):
    if backend == "sqlite":
        return "sqlite:///" + str(tmp_path / "migrated.db")
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not available")
    url = make_url(POSTGRES_URL).set(database=MIGRATIONS_DB)
    admin = create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{MIGRATIONS_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{MIGRATIONS_DB}"'))
    admin.dispose()
    request.addfinalizer(_drop_migrations_database)
    return url.render_as_string(hide_password=False)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_matches_models_and_downgrade_empties(backend, tmp_path, request):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _fresh_url(backend, tmp_path, request), "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            opts = {"compare_type": True, "include_object": search_indexes.include_object}
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)
            trigram_indexes = search_indexes.present(conn)
        assert diff == [], f"models and migrations disagree: {diff}"
        # The search's trigram indexes, on PostgreSQL only (the machine's user may create pg_trgm).
        assert trigram_indexes == (set(search_indexes.NAMES) if backend == "postgresql" else set())

        # The app works on the migrated database: seed and render.
        from inventory.seed import load_seed

        load_seed()
        assert "sessionid" in app.test_client().get("/fr/cookies").get_data(as_text=True)
        db.session.remove()

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


# (table, column, as added) for what the migrations after 0005 add to the tables the ORM seeds.
ADDED_AFTER_0005 = (
    ("site_settings", "archive_public", "BOOLEAN NOT NULL DEFAULT 1"),
    ("site_settings", "consent_manager", "VARCHAR(20) NOT NULL DEFAULT 'none'"),
    ("site_settings", "consent_settings_url", "VARCHAR(500)"),
    ("site_settings", "consent_months", "INTEGER NOT NULL DEFAULT 6"),
    ("cookie", "path", "VARCHAR(255) NOT NULL DEFAULT '/'"),
    ("cookie", "legal_basis", "VARCHAR(30) NOT NULL DEFAULT ''"),
    ("cookie", "lifetime_extended", "BOOLEAN NOT NULL DEFAULT 0"),
    ("purpose", "retention_months", "INTEGER"),
    ("provider", "role", "VARCHAR(20) NOT NULL DEFAULT ''"),
    ("provider", "transfer_safeguard", "VARCHAR(20) NOT NULL DEFAULT ''"),
    ("provider", "transfer_safeguard_url", "VARCHAR(500)"),
    ("site_settings", "dpo_name", "VARCHAR(200)"),
    ("site_settings", "dpo_contact", "VARCHAR(500)"),
    ("site_settings", "complaint_url", "VARCHAR(500)"),
    ("site_settings", "consent_settings_where_fr", "VARCHAR(300)"),
    ("site_settings", "consent_settings_where_en", "VARCHAR(300)"),
)


def test_migration_0006_keeps_rows_and_ids_and_never_reuses_an_id_on_sqlite(tmp_path):
    """An SQLite database made before AUTOINCREMENT: the upgrade keeps every row, id and link,
    and the id of a record deleted before the upgrade (the highest) is not handed out again."""
    from inventory.seed import load_seed
    from models import Cookie, Provider
    from tests.helpers import make_cookie

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "old.db"), "TESTING": True})
    with app.app_context():
        upgrade(revision="0005_cookie_search_trigrams")
        # Today's models know columns that later migrations add: they are there while the ORM
        # seeds the old database, then gone again, so the database is as 0005 left it.
        with db.engine.begin() as conn:
            for table, column, ddl in ADDED_AFTER_0005:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))
        load_seed()
        gone = make_cookie(name="gone_before_upgrade")
        gone_id = gone.id
        db.session.delete(gone)
        db.session.commit()

        db.session.remove()
        with db.engine.begin() as conn:
            for table, column, _ddl in ADDED_AFTER_0005:
                conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))

        def rows():
            with db.engine.connect() as conn:
                return {
                    table: conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
                    for table in ("provider", "category", "purpose", "cookie", "cookie_purpose", "site_settings")
                }

        before = rows()
        db.session.remove()
        upgrade()
        after = rows()
        # 0010 adds the archive setting (public), 0011 the consent manager ("none") and the
        # settings page (none), 0012 the consent duration (6 months) to each settings row and
        # the path ("/") to each cookie; 0014 the legal facts, not stated ("", none) but the
        # complaint page, the CNIL's; 0015 where the banner's settings are (not said); nothing
        # else changes.
        cnil = "https://www.cnil.fr/fr/adresser-une-plainte"
        assert all(
            tuple(row[-9:]) == (1, "none", None, 6, None, None, cnil, None, None) for row in after["site_settings"]
        )
        after["site_settings"] = [row[:-9] for row in after["site_settings"]]
        assert all(tuple(row[-3:]) == ("/", "", False) for row in after["cookie"])
        after["cookie"] = [row[:-3] for row in after["cookie"]]
        assert all(tuple(row[-3:]) == ("", "", None) for row in after["provider"])
        after["provider"] = [row[:-3] for row in after["provider"]]
        assert all(row[-1] is None for row in after["purpose"])
        after["purpose"] = [row[:-1] for row in after["purpose"]]
        assert after == before
        with db.engine.connect() as conn:
            for table in ("provider", "category", "purpose", "cookie", "site_settings"):
                sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar_one()
                assert "AUTOINCREMENT" in sql, table

        newcomer = make_cookie(name="made_after_upgrade")
        assert newcomer.id > gone_id
        provider = Provider(name="Newcomer SAS")
        db.session.add(provider)
        db.session.commit()
        assert provider.id > max(row[0] for row in before["provider"])
        assert db.session.get(Cookie, newcomer.id).purposes
        db.session.remove()
        db.engine.dispose()
