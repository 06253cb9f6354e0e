"""The inventory coming in: our JSON, CSV and XLSX exports, and the Open Cookie Database CSV.

    report = import_inventory(data, filename="cookies.csv")                  # dry run: the plan
    report = import_inventory(data, filename="cookies.csv", dry_run=False)   # all or nothing
    report = import_inventory(..., dry_run=False, skip_invalid=True)         # rejected rows skipped
    report = import_inventory(data, limits=web_limits(16 * 2**20, 20_000))   # the back office's bounds

Steps: ``read_source`` (bytes to Records), ``Planner`` (Records to Changes), ``apply``
(Changes to the database, one transaction). The README's "Import and export" says the rules.
"""

import logging
from dataclasses import replace

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
from .sources import FORMATS, MAX_BYTES, FileRefused, Limits, decode, recognise, text_stream, web_limits
from .tabular import read_csv, read_rows, read_xlsx

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "FileRefused",
    "ImportReport",
    "Limits",
    "import_inventory",
    "import_records",
    "read_source",
    "web_limits",
]

log = logging.getLogger(__name__)


def read_source(data, filename="upload", fmt=None, max_bytes=None, limits=None):
    """(format, [Record]) from the bytes of a file; raises FileRefused for a file-level problem."""
    limits = _limits(limits, max_bytes)
    where = Where(filename)
    data = bytes(data)
    fmt = recognise(data, where, fmt, limits.max_bytes)
    if fmt == "xlsx":
        return fmt, read_xlsx(data, where, limits)
    if fmt == "json":
        return fmt, read_json(decode(data, where), where, limits)
    stream = text_stream(data, where)
    if fmt == "ocd":
        return fmt, read_rows(stream, where, ocd.REQUIRED_COLUMNS, ocd.record, limits=limits)
    return fmt, read_csv(stream, where, limits)


def _limits(limits, max_bytes):
    limits = limits or Limits()
    return limits if max_bytes is None else replace(limits, max_bytes=max_bytes)


def import_inventory(
    data,
    *,
    filename="upload",
    fmt=None,
    dry_run=True,
    skip_invalid=False,
    session=None,
    max_bytes=None,
    limits=None,
):
    """Plan, and unless ``dry_run`` apply, an import; returns an ImportReport.

    ``data``: the file's bytes. ``fmt``: json, csv, xlsx or ocd; recognised from the content
    when None (the file name is never trusted). Without ``skip_invalid``, any rejected row
    means nothing is written; with it, rejected rows are listed and the others applied.
    ``limits`` bound the file's size, rows and parts (default: the command line's, see
    ``Limits``); ``max_bytes`` overrides their size alone. Applying commits the session's
    transaction; any database refusal rolls everything back and is reported.
    """
    session = session or db.session
    report = ImportReport(filename=filename, format=fmt, dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        report.format, records = read_source(data, filename, fmt, max_bytes, limits)
    except FileRefused as refused:
        report.problems.append(refused.problem)
        return report
    return _plan_and_apply(report, records, session)


def import_records(records, *, filename, dry_run=True, source="import", session=None):
    """Plan, and unless ``dry_run`` apply, Records made by code rather than read from a file
    (what a scan found, ``scanner.drafting``); the same rules, report and history as a file,
    attributed to ``source``."""
    session = session or db.session
    report = ImportReport(filename=filename, format=source, dry_run=dry_run, skip_invalid=False)
    return _plan_and_apply(report, list(records), session, source)


def _plan_and_apply(report, records, session, source="import"):
    filename = report.filename
    report.rows = len(records)
    if not records:
        report.problems.append(Problem(Where(filename), _l("The file has no rows to import.")))
        return report
    planner = Planner(session, records)
    records.sort(key=lambda r: ORDER.index(r.kind))
    records.reverse()
    while records:
        # Each row's raw values go as soon as it is planned: a file is not held twice.
        planner.plan(records.pop())
    report.changes = planner.changes
    if report.dry_run or report.problems or (report.rejected and not report.skip_invalid):
        session.rollback()
        return report
    try:
        # One transaction, so one entry in the change history, attributed to its source.
        with recording(source):
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
