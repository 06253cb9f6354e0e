"""The inventory coming in: our JSON, CSV and XLSX exports, and the Open Cookie Database CSV.

    report = import_inventory(data, filename="cookies.csv")                  # dry run: the plan
    report = import_inventory(data, filename="cookies.csv", dry_run=False)   # all or nothing
    report = import_inventory(..., dry_run=False, skip_invalid=True)         # rejected rows skipped

Steps: ``read_source`` (bytes to Records), ``Planner`` (Records to Changes), ``apply``
(Changes to the database, one transaction). The README's "Import and export" says the rules.
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from models import db
from rules.validation import InventoryError

from ..history import recording
from . import ocd
from .apply import apply
from .jsonfile import read_json
from .planner import ORDER, Planner
from .report import ImportReport, Problem, Where
from .sources import FORMATS, MAX_BYTES, FileRefused, decode, recognise
from .tabular import read_csv, read_rows, read_xlsx

__all__ = ["FORMATS", "MAX_BYTES", "FileRefused", "ImportReport", "import_inventory", "read_source"]

log = logging.getLogger(__name__)

_TEXT_READERS = {
    "json": read_json,
    "csv": read_csv,
    "ocd": lambda text, where: read_rows(text, where, ocd.REQUIRED_COLUMNS, ocd.record),
}


def read_source(data, filename="upload", fmt=None, max_bytes=MAX_BYTES):
    """(format, [Record]) from the bytes of a file; raises FileRefused for a file-level problem."""
    where = Where(filename)
    fmt = recognise(data, where, fmt, max_bytes)
    if fmt == "xlsx":
        return fmt, read_xlsx(bytes(data), where)
    return fmt, _TEXT_READERS[fmt](decode(bytes(data), where), where)


def import_inventory(
    data, *, filename="upload", fmt=None, dry_run=True, skip_invalid=False, session=None, max_bytes=MAX_BYTES
):
    """Plan, and unless ``dry_run`` apply, an import; returns an ImportReport.

    ``data``: the file's bytes. ``fmt``: json, csv, xlsx or ocd; recognised from the content
    when None (the file name is never trusted). Without ``skip_invalid``, any rejected row
    means nothing is written; with it, rejected rows are listed and the others applied.
    Applying commits the session's transaction; any database refusal rolls everything back
    and is reported.
    """
    session = session or db.session
    report = ImportReport(filename=filename, format=fmt, dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        report.format, records = read_source(data, filename, fmt, max_bytes)
    except FileRefused as refused:
        report.problems.append(refused.problem)
        return report
    report.rows = len(records)
    if not records:
        report.problems.append(Problem(Where(filename), _l("The file has no rows to import.")))
        return report
    planner = Planner(session, records)
    for rec in sorted(records, key=lambda r: ORDER.index(r.kind)):
        planner.plan(rec)
    report.changes = planner.changes
    if dry_run or report.problems or (report.rejected and not skip_invalid):
        session.rollback()
        return report
    try:
        # One transaction, so one entry in the change history, attributed to the import.
        with recording("import"):
            apply(session, report.changes)
            session.commit()
    except (InventoryError, SQLAlchemyError, KeyError) as error:
        session.rollback()
        if isinstance(error, InventoryError):
            message = error.message
        else:
            # The database's own words (SQL, constraint names) are for the log, not the user.
            log.warning("import of %s refused by the database: %s", filename, error)
            message = _l("a row conflicts with data already in the inventory")
        report.problems.append(
            Problem(
                Where(filename), _l("The database refused the import, nothing was written: %(error)s", error=message)
            )
        )
        return report
    report.applied = True
    return report
