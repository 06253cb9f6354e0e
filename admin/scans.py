"""Scans, in the back office: start a scan of the live site, follow its progress, read what
it found against the inventory, add undeclared items to the draft (through the importer's
preview and confirm) and mark declared cookies not seen as reviewed. Viewers read; editors
start scans and act on them."""

import logging

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import format_number, gettext
from flask_babel import lazy_gettext as _l
from flask_security import current_user
from sqlalchemy import select

from models import Category, SiteSettings, db
from models.database import writes
from models.inventory import PARTY_LABELS, STORAGE_LABELS
from models.scan import ACTIVE, DONE, Scan
from models.timestamps import utcnow
from rules import lifetime
from rules.language import in_page_language, ngettext, page_language
from rules.validation import InventoryError
from scanner import jobs
from scanner.drafting import add_to_draft, selectable
from scanner.engine import MAX_PAGES, SCENARIO_NAMES, SCENARIOS, said

from .access import AccessMixin, can_write
from .transfer import inventory_revision

log = logging.getLogger(__name__)

HISTORY_SIZE = 30
STATUS_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "interrupted": _l("Interrupted (the server restarted)"),
}
ITEM_STATUS_LABELS = {
    "declared": _l("Declared and seen"),
    "mismatch": _l("Differs from the inventory"),
    "undeclared": _l("Undeclared"),
}
PROBLEM_LABELS = {
    "storage_kind": _l("storage kind"),
    "domain": _l("domain"),
    "party": _l("first or third party"),
    "lifetime": _l("lifetime longer than declared"),
}
# The result's sections, in reading order: the legal risks first.
SHOWS = ("violations", "undeclared", "mismatch", "not_seen", "declared", "hosts", "pages")
SHOW_LABELS = {
    "violations": _l("Consent violations"),
    "undeclared": _l("Undeclared"),
    "mismatch": _l("Differences"),
    "not_seen": _l("Declared, not seen"),
    "declared": _l("Declared and seen"),
    "hosts": _l("Third-party hosts"),
    "pages": _l("Pages"),
}


def _history():
    return db.session.scalars(select(Scan).order_by(Scan.id.desc()).limit(HISTORY_SIZE)).all()


def lifetime_text(seconds):
    """An observed lifetime in words: session, or days (hours under a day)."""
    if seconds is None:
        return lifetime.describe(lifetime.SESSION, None)
    if seconds < 86400:
        return gettext("%(num)s h", num=format_number(max(1, round(seconds / 3600))))
    return lifetime.describe("days", round(seconds / 86400))


class ScansView(AccessMixin, BaseView):
    def _ensure_worker(self):
        if current_app.config["SCAN_WORKER"] == "thread":
            jobs.start_thread_worker(current_app._get_current_object())

    @expose("/")
    def index(self):
        self._ensure_worker()
        settings = SiteSettings.current(db.session)
        last = db.session.scalars(select(Scan).order_by(Scan.id.desc())).first()
        history = _history()
        done = [s for s in history if s.status == DONE]
        differences = {s.id: jobs.difference(s, nxt) for s, nxt in zip(done, done[1:], strict=False)}
        options = (last.options if last else None) or {}
        form = {
            "url": (last.url if last else None) or (settings.site_url if settings else ""),
            "max_pages": options.get("max_pages", jobs.DEFAULT_PAGES),
            "scenarios": options.get("scenarios", list(SCENARIOS)),
            "accept_selector": options.get("accept_selector") or "",
            "refuse_selector": options.get("refuse_selector") or "",
        }
        return self.render(
            "admin/scans/index.html",
            form=form,
            errors={},
            history=history,
            differences=differences,
            active=jobs.active_scan(db.session),
            **self._labels(),
        )

    def _labels(self):
        return {
            "status_labels": STATUS_LABELS,
            "scenario_names": SCENARIO_NAMES,
            "scenarios": SCENARIOS,
            "max_pages": MAX_PAGES,
            "can_write": can_write(),
        }

    @expose("/start", methods=("POST",))
    @writes
    def start(self):
        if not can_write():
            abort(403)
        form = {
            "url": request.form.get("url", "")[:2000],
            "max_pages": request.form.get("max_pages", "")[:10],
            "scenarios": request.form.getlist("scenarios")[:3],
            "accept_selector": request.form.get("accept_selector", "")[:400],
            "refuse_selector": request.form.get("refuse_selector", "")[:400],
        }
        try:
            url, options = jobs.check_request(
                form["url"],
                form["max_pages"],
                form["scenarios"],
                form["accept_selector"],
                form["refuse_selector"],
                resolve=jobs.resolver(current_app),
            )
            scan_row = jobs.request_scan(db.session, url, options, user=current_user)
        except InventoryError as error:
            return self._form_error(form, {error.field: error.message})
        except jobs.ScanRefused as refused:
            flash(refused.message, "error")
            return redirect(url_for(".detail", scan_id=refused.scan.id))
        log.info("scan %s of %s requested by %s", scan_row.id, url, current_user.email)
        self._ensure_worker()
        return redirect(url_for(".detail", scan_id=scan_row.id))

    def _form_error(self, form, errors):
        db.session.rollback()
        history = _history()
        return (
            self.render(
                "admin/scans/index.html",
                form=form,
                errors=errors,
                history=history,
                differences={},
                active=jobs.active_scan(db.session),
                **self._labels(),
            ),
            400,
        )

    def _scan(self, scan_id):
        scan_row = db.session.get(Scan, scan_id)
        if scan_row is None:
            abort(404)
        return scan_row

    @expose("/<int:scan_id>")
    def detail(self, scan_id):
        self._ensure_worker()
        scan_row = self._scan(scan_id)
        show = request.args.get("show", "")
        if show not in SHOWS:
            show = ""
        scenario = request.args.get("scenario", "")
        if scenario not in SCENARIOS:
            scenario = ""
        result = scan_row.result or {}
        items = result.get("items", [])
        if scenario:
            items = [i for i in items if scenario in i["seen"]]
        groups = {
            "violations": [i for i in items if i["violation"]],
            "undeclared": [i for i in items if i["status"] == "undeclared"],
            "mismatch": [i for i in items if i["status"] == "mismatch"],
            "declared": [i for i in items if i["status"] == "declared"],
        }
        reviewed = scan_row.reviewed or {}
        categories = db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()
        previous = jobs.previous_done(db.session, scan_row) if scan_row.status == DONE else None
        return self.render(
            "admin/scans/detail.html",
            scan=scan_row,
            result=result,
            groups=groups,
            not_seen=result.get("not_seen", []),
            reviewed=reviewed,
            show=show,
            scenario=scenario,
            shows=SHOWS,
            show_labels=SHOW_LABELS,
            item_status_labels=ITEM_STATUS_LABELS,
            problem_labels=PROBLEM_LABELS,
            storage_labels=STORAGE_LABELS,
            party_labels=PARTY_LABELS,
            scenario_status=jobs.SCENARIO_STATUS,
            lifetime_text=lifetime_text,
            item_key=jobs.item_key,
            running=scan_row.status in ACTIVE,
            difference=jobs.difference(scan_row, previous),
            categories=categories,
            category_names={c.key: in_page_language(c.name_fr, c.name_en)[0] for c in categories},
            said=lambda texts: said(texts, page_language()),
            **self._labels(),
        )

    def _draft_args(self, scan_row):
        keys = [key for key in request.form.getlist("items")[:500] if key in selectable(scan_row)]
        category = request.form.get("category", "")
        if not db.session.scalars(select(Category.id).where(Category.key == category)).first():
            category = None
        shown = request.form.get("shown") == "1"
        settings = SiteSettings.current(db.session)
        return keys, category, shown, settings.controller_name if settings else ""

    @expose("/<int:scan_id>/add", methods=("POST",))
    def add_preview(self, scan_id):
        if not can_write():
            abort(403)
        scan_row = self._scan(scan_id)
        keys, category, shown, controller = self._draft_args(scan_row)
        if not keys:
            flash(_l("Select at least one undeclared item to add."), "error")
            return redirect(url_for(".detail", scan_id=scan_id, show="undeclared"))
        if category is None:
            flash(_l("Choose the category of the items to classify."), "error")
            return redirect(url_for(".detail", scan_id=scan_id, show="undeclared"))
        report = add_to_draft(scan_row, keys, category=category, shown=shown, site_controller=controller)
        return self.render(
            "admin/scans/add.html",
            scan=scan_row,
            report=report,
            keys=keys,
            category=category,
            shown=shown,
            revision=inventory_revision(),
            limit=200,
        )

    @expose("/<int:scan_id>/add/confirm", methods=("POST",))
    @writes
    def add_confirm(self, scan_id):
        if not can_write():
            abort(403)
        scan_row = self._scan(scan_id)
        keys, category, shown, controller = self._draft_args(scan_row)
        if not keys or category is None:
            abort(400)
        if str(inventory_revision()) != request.form.get("revision"):
            flash(_l("The inventory changed since this preview: check the preview again."), "error")
            return redirect(url_for(".detail", scan_id=scan_id, show="undeclared"))
        report = add_to_draft(scan_row, keys, category=category, shown=shown, site_controller=controller, dry_run=False)
        if not report.applied:
            return self.render(
                "admin/scans/add.html",
                scan=scan_row,
                report=report,
                keys=[],
                category=category,
                shown=shown,
                revision=inventory_revision(),
                limit=200,
            )
        log.info("scan %s: %d items added to the draft by %s", scan_id, len(keys), current_user.email)
        flash(
            ngettext(
                "%(num)s item added to the draft. Check it in the cookie list before publishing.",
                "%(num)s items added to the draft. Check them in the cookie list before publishing.",
                len(keys),
            ),
            "success",
        )
        return redirect(url_for("cookie.index_view"))

    @expose("/<int:scan_id>/reviewed", methods=("POST",))
    @writes
    def mark_reviewed(self, scan_id):
        if not can_write():
            abort(403)
        scan_row = self._scan(scan_id)
        known = {str(entry["cookie_id"]) for entry in (scan_row.result or {}).get("not_seen", [])}
        chosen = [cid for cid in request.form.getlist("cookies")[:1000] if cid in known]
        if not chosen:
            flash(_l("Select at least one cookie to mark as reviewed."), "error")
        else:
            reviewed = dict(scan_row.reviewed or {})
            stamp = {"by": current_user.email, "at": utcnow().isoformat(timespec="seconds")}
            reviewed.update(dict.fromkeys(chosen, stamp))
            scan_row.reviewed = reviewed
            db.session.commit()
            flash(
                ngettext("%(num)s cookie marked as reviewed.", "%(num)s cookies marked as reviewed.", len(chosen)),
                "success",
            )
        return redirect(url_for(".detail", scan_id=scan_id, show="not_seen"))
