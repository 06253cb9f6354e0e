"""Back-office export and import: these views stream what ``inventory.export`` writes, and
show what the importer plans, then apply it once the editor confirms."""

import logging
import secrets
import time
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

FORMAT_LABELS = {
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
PENDING_LIFETIME = 24 * 3600
PREVIEW_LIMIT = 500


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


def _pending_folder():
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.upload"):
        if now - old.stat().st_mtime > PENDING_LIFETIME:
            old.unlink(missing_ok=True)
    return folder


def _revision():
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
        data = upload.read()
        name = Path(upload.filename).name[:120]
        report = importer.import_inventory(
            data, filename=name, fmt=fmt, dry_run=True, max_bytes=current_app.config["MAX_CONTENT_LENGTH"]
        )
        token = None
        if not report.problems and report.changes:
            token = secrets.token_urlsafe(24)
            (_pending_folder() / f"{token}.upload").write_bytes(data)
        log.info("import preview of %s by %s: %s", name, current_user.email, report.counts())
        return self.render(
            "admin/transfer/preview.html",
            report=report,
            token=token,
            fmt=fmt or "",
            name=name,
            revision=_revision(),
            limit=PREVIEW_LIMIT,
            skip_invalid=bool(request.form.get("skip_invalid")),
        )

    @expose("/confirm", methods=("POST",))
    @writes
    def confirm(self):
        token = request.form.get("token", "")
        if not token.replace("-", "").replace("_", "").isalnum():
            abort(400)
        path = _pending_folder() / f"{token}.upload"
        if not path.exists():
            flash(_l("This preview has expired or was already imported. Upload the file again."), "error")
            return redirect(url_for(".index"))
        if str(_revision()) != request.form.get("revision"):
            flash(
                _l("The inventory changed since this preview. Upload the file again to see an up-to-date preview."),
                "error",
            )
            path.unlink(missing_ok=True)
            return redirect(url_for(".index"))
        name = request.form.get("name", "upload")[:120]
        fmt = request.form.get("format") or None
        if fmt not in (None, *importer.FORMATS):
            abort(400)
        report = importer.import_inventory(
            path.read_bytes(),
            filename=name,
            fmt=fmt,
            dry_run=False,
            skip_invalid=bool(request.form.get("skip_invalid")),
            max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
        )
        path.unlink(missing_ok=True)
        log.info("import of %s by %s: applied=%s %s", name, current_user.email, report.applied, report.counts())
        if not report.applied:
            return self.render(
                "admin/transfer/preview.html",
                report=report,
                token=None,
                fmt="",
                name=name,
                revision=_revision(),
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

    @expose("/export/<export_type>/")
    def export(self, export_type):
        if export_type not in self.export_types:
            abort(404)
        args = read_list_args(self, request.args)
        _, query = self.get_list(
            None, args.sort_column, args.sort_desc, args.search, args.filters, execute=False, page_size=0
        )
        return download(export_type, query, scope="cookie list")
