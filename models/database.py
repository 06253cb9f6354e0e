"""The database: the shared Flask-SQLAlchemy object, SQLite's connection settings, and the
write intent that makes a writer take SQLite's write lock when its transaction starts."""

import contextvars
import functools
import os
import sqlite3
import stat
from contextlib import contextmanager

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase, scoped_session

# Named constraints so that Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AppSession(FlaskSession):
    """The sessions of ``db.session``: a class of our own, so that the change pipeline
    (inventory/changes.py) listens to this application's sessions and no other."""


db = SQLAlchemy(model_class=Base, session_options={"class_": AppSession})


# --- Write intent ----------------------------------------------------------------------------

_write_intent = contextvars.ContextVar("write_intent", default=False)


def end_read_only_transaction(session):
    """End the session's transaction if it has changed nothing, so that the next statement
    begins a new one (with write intent, or another isolation level)."""
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.rollback()
    return session


@contextmanager
def writing(session=None):
    """The transactions started inside the block will write: on SQLite they begin with
    ``BEGIN IMMEDIATE``, so that concurrent read-modify-write requests queue up on the write
    lock instead of failing with "database is locked" or losing an update. A read-only
    transaction already open is ended first, so that the next statement begins a writing one."""
    end_read_only_transaction(session or db.session())
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def writes(function=None, *, when=None):
    """Decorator for a view or command that changes the database (see ``writing``); with
    ``when``, only the calls for which ``when()`` is true write (a view that writes on POST)."""
    if function is None:
        return functools.partial(writes, when=when)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if when is not None and not when():
            return function(*args, **kwargs)
        with writing():
            return function(*args, **kwargs)

    return wrapper


# --- SQLite ----------------------------------------------------------------------------------


def configure_engine(engine):
    """SQLite: foreign keys on, readers allowed during writes (WAL), a wait instead of a failure
    when the database is busy, and BEGIN emitted by SQLAlchemy, IMMEDIATE for writers.
    Bound to this engine, not to every engine of the process."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _sqlite_pragmas):
        return
    _private_database_file(engine.url.database)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)


def _private_database_file(path):
    """The database file for the app's user and group only; SQLite gives its WAL and
    shared-memory files the same permissions."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o660))
        os.chmod(path, 0o660)  # the group too, whatever the umask: commands may run as the workers' group
    for name in (path, path + "-wal", path + "-shm"):
        if os.path.exists(name) and stat.S_IMODE(os.stat(name).st_mode) & 0o007:
            os.chmod(name, stat.S_IMODE(os.stat(name).st_mode) & 0o770)


def _sqlite_pragmas(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
        # SQLAlchemy emits BEGIN itself (_sqlite_begin) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None


def _sqlite_begin(connection):
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # asked for no transaction (the public pages' state reads): each statement stands alone
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
