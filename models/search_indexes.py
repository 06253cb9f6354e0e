"""Trigram indexes for the back office's "contains" search, on PostgreSQL only.

A search word may sit anywhere in a cookie's name, domain or service text (``ILIKE
'%word%'``): a B-tree cannot help, and at 100,000 cookies PostgreSQL read every row (0.1 s
per search and per count). ``pg_trgm``'s GIN indexes answer those patterns; the search is
written so that every alternative can use an index (admin/views.py, cookie_search_clause),
and PostgreSQL combines them (BitmapOr).

They are made by migration 0005, not declared on the models: SQLite has no such index (it
reads the table, 0.15 s at 100,000 cookies), and where the database user may not create the
extension the migration goes on without them and says so; the search still works, only
slower. Alembic's comparison of models and database leaves them aside (``include_object``).
"""
import logging

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

TABLE = "cookie"
COLUMNS = ("name", "domain", "service_fr", "service_en")
NAMES = {f"ix_{TABLE}_{column}_trgm": column for column in COLUMNS}


def include_object(obj, name, type_, reflected, compare_to):
    """For Alembic: the trigram indexes are not the models' business."""
    return not (type_ == "index" and name in NAMES)


def create(connection):
    """Create the extension and the indexes on a PostgreSQL connection (in a transaction).
    Returns False, after a warning, when the extension cannot be had."""
    if connection.dialect.name != "postgresql":
        return False
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        log.warning(
            "pg_trgm is not available (%s): the cookie search works without its indexes, reading "
            "the whole table. A superuser can run CREATE EXTENSION pg_trgm, then flask db downgrade "
            "0004_cookie_list_indexes && flask db upgrade.",
            str(error.orig).strip().splitlines()[0],
        )
        return False
    for name, column in NAMES.items():
        connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} USING gin ({column} gin_trgm_ops)")
    return True


def drop(connection):
    if connection.dialect.name != "postgresql":
        return
    for name in NAMES:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def present(connection):
    """The trigram indexes found in the database."""
    if connection.dialect.name != "postgresql":
        return set()
    rows = connection.exec_driver_sql(
        "SELECT indexname FROM pg_indexes WHERE tablename = %(table)s", {"table": TABLE}
    )
    return {row[0] for row in rows} & set(NAMES)
