"""The trigram indexes of the back office's "contains" search, on PostgreSQL only.

Made by migration 0005, not declared on the models: SQLite has no such index, and where the
database user may not create the pg_trgm extension the migration goes on without them.
Alembic's comparison of models and database leaves them aside (``include_object``).
"""

TABLE = "cookie"
COLUMNS = ("name", "domain", "service_fr", "service_en")
NAMES = {f"ix_{TABLE}_{column}_trgm": column for column in COLUMNS}


def include_object(obj, name, type_, reflected, compare_to):
    """For Alembic: the trigram indexes are not the models' business."""
    return not (type_ == "index" and name in NAMES)


def present(connection):
    """The trigram indexes found in the database."""
    if connection.dialect.name != "postgresql":
        return set()
    rows = connection.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = %(table)s", {"table": TABLE})
    return {row[0] for row in rows} & set(NAMES)
