"""What the app writes is for its owner and group only: the instance folder, the SQLite
database with its WAL and shared-memory files, the secret key."""

import os
import stat

from sqlalchemy import text

from app import create_app
from config import build_config
from tests.conftest import app_config


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_instance_folder_and_secret_are_not_world_readable(tmp_path):
    instance = tmp_path / "instance"
    build_config(str(instance), {})
    assert mode(instance) & 0o007 == 0
    assert mode(instance / "secret_key") & 0o077 == 0


def test_an_instance_folder_left_open_is_closed(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)
    build_config(str(instance), {})
    assert mode(instance) & 0o007 == 0


def test_the_sqlite_database_and_its_wal_are_not_world_readable(tmp_path):
    database = tmp_path / "cookies.db"
    app = create_app(app_config(f"sqlite:///{database}", CHARTE_SIGNAL_FILE=str(tmp_path / "signal")))
    from models import db

    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE probe (x INTEGER)"))
            connection.execute(text("INSERT INTO probe VALUES (1)"))
        for path in (database, tmp_path / "cookies.db-wal", tmp_path / "cookies.db-shm"):
            assert path.exists(), path
            assert mode(path) & 0o007 == 0, f"{path.name} is {oct(mode(path))}"
        db.engine.dispose()


def test_a_database_left_world_readable_is_closed_at_start(tmp_path):
    database = tmp_path / "cookies.db"
    database.touch()
    os.chmod(database, 0o644)
    app = create_app(app_config(f"sqlite:///{database}", CHARTE_SIGNAL_FILE=str(tmp_path / "signal")))
    from models import db

    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        db.engine.dispose()
    assert mode(database) & 0o007 == 0
