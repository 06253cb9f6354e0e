"""Back-office export and import: these views stream what ``inventory.export`` writes, and
show what the importer plans, then apply it once the editor confirms."""

import fcntl
import logging
import os
import re
import secrets
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, request, stream_with_context, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_security import current_user

from inventory import export as exports
from inventory import importing as importer
from models import InventoryState, db
from models.database import writes

from .access import WRITE_ROLES, AccessMixin
from .list_args import read_list_args

log = logging.getLogger("charte.transfer")

# The first is the default download: words in the editor's language, for people.
FORMAT_LABELS = {
    "xlsx-readable": _l("Excel workbook for people (.xlsx, in your language)"),
    "csv-readable": _l("CSV for people (in your language)"),
    "csv": _l("CSV (UTF-8, comma)"),
    "csv-excel": _l("CSV for Excel (semicolon, with BOM)"),
    "xlsx": _l("Excel workbook (.xlsx)"),
    "json": _l("JSON (complete backup)"),
}
IMPORT_FORMAT_LABELS = {
    "": _l("Recognise from the content"),
    "json": _l("Our JSON export"),
    "csv": _l("Our CSV export"),
    "xlsx": _l("Our Excel export"),
    "ocd": _l("Open Cookie Database (CSV)"),
}
# A previewed upload waits for its confirm at most this long (and one per person).
PENDING_LIFETIME = 3600
PREVIEW_LIMIT = 500
# "<user id>-" and secrets.token_urlsafe(24): what a confirm token must look like before it
# names a file (the user id finds a person's previous upload).
_TOKEN = re.compile(r"[0-9]{1,12}-[A-Za-z0-9_-]{32}")


def download(fmt, query=None, scope="inventory"):
    """A response carrying the export in ``fmt``, streamed where the format allows it."""
    if fmt not in exports.FORMATS:
        abort(404)
    log.info("export %s (%s) by %s", fmt, scope, current_user.email)
    headers = {"Content-Disposition": f'attachment; filename="{exports.filename(fmt)}"', "Cache-Control": "no-store"}
    chunks = exports.chunks(fmt, query)
    return Response(stream_with_context(chunks), content_type=exports.MEDIA_TYPES[fmt], headers=headers)


class ExportView(AccessMixin, BaseView):
    """The whole inventory in each format; every role may export."""

    @expose("/")
    def index(self):
        return self.render("admin/transfer/export.html", formats=FORMAT_LABELS)

    @expose("/<fmt>")
    def download(self, fmt):
        return download(fmt)


def _pending_folder(app=None):
    """The folder of previewed uploads, readable by the application's user alone; uploads
    older than ``PENDING_LIFETIME`` are removed whenever it is used (preview and confirm)."""
    folder = Path((app or current_app).instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # also a folder made before this rule, or under a loose umask
    now = time.time()
    for old in folder.glob("*.upload"):
        try:
            if now - old.stat().st_mtime > PENDING_LIFETIME:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # removed meanwhile by another worker
            pass
    return folder


def _new_token():
    return f"{int(current_user.id)}-{secrets.token_urlsafe(24)}"


def _pending_path(folder, token):
    return folder / f"{token}.upload"


def _forget_pending(folder):
    """Remove the current user's previewed upload, if any: one pending upload per person."""
    for path in folder.glob(f"{int(current_user.id)}-*.upload"):
        path.unlink(missing_ok=True)


def _pending_bytes(folder):
    total = 0
    for path in folder.glob("*.upload"):
        with suppress(FileNotFoundError):  # removed meanwhile by another worker
            total += path.stat().st_size
    return total


def _write_private(path, data):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        os.fchmod(descriptor, 0o600)
        out.write(data)


@contextmanager
def preview_slot(app, user_id):
    """Yields True while this process holds ``user_id``'s import slot, False when a preview
    or confirm of theirs already runs (in any worker of the host: a lock on a file)."""
    descriptor = os.open(_pending_folder(app) / f"{int(user_id)}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def import_limits():
    """The back office's bounds: the upload cap, and fewer rows than the command line's."""
    config = current_app.config
    return importer.web_limits(config["MAX_CONTENT_LENGTH"], config["IMPORT_PREVIEW_MAX_ROWS"])


def preview_report(data, name, fmt):
    """The dry run the back office shows for an upload (bench/bench_import.py measures it)."""
    return importer.import_inventory(data, filename=name, fmt=fmt, dry_run=True, limits=import_limits())


def _busy():
    flash(gettext("An import preview of yours is already running. Wait for it to finish, then try again."), "error")
    return redirect(url_for(".index"))


def inventory_revision():
    """The inventory's revision: a preview is confirmed only against the one it was made on."""
    state = db.session.get(InventoryState, 1)
    return state.revision if state else 0


class ImportView(AccessMixin, BaseView):
    """Upload, preview (a dry run), confirm. Editors and administrators only."""

    allowed_roles = WRITE_ROLES

    @expose("/", methods=("GET",))
    def index(self):
        return self.render("admin/transfer/upload.html", formats=IMPORT_FORMAT_LABELS)

    # A dry run only reads: no write intent, so that planning a large file holds no write lock.
    @expose("/preview", methods=("POST",))
    def preview(self):
        upload = request.files.get("file")
        fmt = request.form.get("format") or None
        if fmt not in (None, *importer.FORMATS):
            abort(400)
        if upload is None or not upload.filename:
            flash(_l("Choose a file to import."), "error")
            return redirect(url_for(".index"))
        name = Path(upload.filename).name[:120]
        with preview_slot(current_app, current_user.id) as free:
            if not free:
                return _busy()
            folder = _pending_folder()
            _forget_pending(folder)
            data = upload.read()
            if _pending_bytes(folder) + len(data) > current_app.config["IMPORT_PENDING_MAX_BYTES"]:
                flash(gettext("Too many imports are waiting to be confirmed on the server: try again later."), "error")
                return redirect(url_for(".index"))
            report = preview_report(data, name, fmt)
            token = None
            if not report.problems and report.changes:
                token = _new_token()
                _write_private(_pending_path(folder, token), data)
            del data
        log.info("import preview of %s by %s: %s", name, current_user.email, report.counts())
        return self.render(
            "admin/transfer/preview.html",
            report=report,
            token=token,
            fmt=fmt or "",
            name=name,
            revision=inventory_revision(),
            limit=PREVIEW_LIMIT,
            skip_invalid=bool(request.form.get("skip_invalid")),
        )

    @expose("/confirm", methods=("POST",))
    @writes
    def confirm(self):
        token = request.form.get("token", "")
        if not _TOKEN.fullmatch(token):
            abort(400)
        name = request.form.get("name", "upload")[:120]
        fmt = request.form.get("format") or None
        if fmt not in (None, *importer.FORMATS):
            abort(400)
        with preview_slot(current_app, current_user.id) as free:
            if not free:
                return _busy()
            path = _pending_path(_pending_folder(), token)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                flash(_l("This preview has expired or was already imported. Upload the file again."), "error")
                return redirect(url_for(".index"))
            # Whatever happens next, the upload has been used: it goes.
            path.unlink(missing_ok=True)
            if str(inventory_revision()) != request.form.get("revision"):
                flash(
                    _l("The inventory changed since this preview. Upload the file again to see an up-to-date preview."),
                    "error",
                )
                return redirect(url_for(".index"))
            report = importer.import_inventory(
                data,
                filename=name,
                fmt=fmt,
                dry_run=False,
                skip_invalid=bool(request.form.get("skip_invalid")),
                limits=import_limits(),
            )
            del data
        log.info("import of %s by %s: applied=%s %s", name, current_user.email, report.applied, report.counts())
        if not report.applied:
            return self.render(
                "admin/transfer/preview.html",
                report=report,
                token=None,
                fmt="",
                name=name,
                revision=inventory_revision(),
                limit=PREVIEW_LIMIT,
                skip_invalid=False,
            )
        counts = report.counts()
        # gettext, not _l: lazy strings count as HTML in templates, and the file name is not.
        flash(
            gettext(
                "Import of %(name)s done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(rejected)d skipped.",
                name=name,
                created=counts.get("create", 0),
                updated=counts.get("update", 0),
                unchanged=counts.get("unchanged", 0),
                rejected=counts.get("rejected", 0),
            ),
            "success",
        )
        return redirect(url_for("cookie.index_view"))


class FilteredExportMixin:
    """The cookie list's Export menu: the current search, filters and sort, in our formats."""

    can_export = True
    export_types = list(FORMAT_LABELS)
    export_labels = FORMAT_LABELS

    @expose("/export/<export_type>/")
    def export(self, export_type):
        if export_type not in self.export_types:
            abort(404)
        args = read_list_args(self, request.args)
        _, query = self.get_list(
            None, args.sort_column, args.sort_desc, args.search, args.filters, execute=False, page_size=0
        )
        return download(export_type, query, scope="cookie list")
