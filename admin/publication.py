"""Publication, in the back office: the draft (the inventory as it is) compared with the current
version, its preview in both languages, the checks, Publish, "ready for review", and the
published versions with their records."""

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_security import current_user
from sqlalchemy import select

from charte.changes import SECTIONS, describe
from charte.pages import render_policy
from charte.policy import Edition
from charte.records import RECORD_FORMATS, record_bytes, record_filename
from embed import CONFIGURED_MANAGERS, MANAGER_NAMES, configuration_json
from inventory.publication.checks import ERROR, Options
from inventory.publication.diff import diff_documents
from inventory.publication.document import draft_document
from inventory.publication.versions import (
    PublicationRefused,
    current_version,
    document_of,
    prepare,
    publish,
    version_number,
    versions,
)
from models import InventoryState, ReviewRequest, SiteSettings, db
from models.database import writes
from public.addresses import site_base
from rules.language import page_language
from rules.validation import InventoryError, text

from .access import ADMIN, PUBLISH_ROLES, READ_ROLES, WRITE_ROLES, AccessMixin, user_role
from .findings import link_of

_REVIEW_NOTE = text(1000, multiline=True)


def pending_reviews(session):
    """The "ready for review" requests no publication has taken in yet, oldest first."""
    return session.scalars(
        select(ReviewRequest).where(ReviewRequest.version_id.is_(None)).order_by(ReviewRequest.requested_at)
    ).all()


def draft_changes(session):
    """(draft, [ChangeLine]) of the draft against the current version, in the interface's language."""
    draft = prepare(session)
    old = document_of(draft.current) if draft.current else None
    return draft, describe(old, draft.document, page_language(), both_languages=True)


def waiting_changes(session):
    """(current version, number of records the draft changes), for the overview: the diff is
    counted once per inventory revision and current version, not on every visit (reading the
    whole draft costs seconds at 100,000 cookies)."""
    current = current_version(session)
    state = session.get(InventoryState, 1)
    key = (state.revision if state else 0, current.id if current else None)
    counts = current_app.extensions.setdefault("draft_change_counts", {})
    if key not in counts:
        old = document_of(current) if current else None
        counts.clear()  # one entry: the key moves on with every change
        counts[key] = len(diff_documents(old, draft_document(session)))
    return current, counts[key]


class PublicationView(AccessMixin, BaseView):
    allowed_roles = READ_ROLES

    @expose("/")
    def index(self):
        return self._page()

    def _page(self, form=None, status=200):
        draft, lines = draft_changes(db.session)
        findings = draft.findings
        return (
            self.render(
                "admin/publication/index.html",
                draft=draft,
                lines=lines,
                sections=SECTIONS,
                errors=[f for f in findings if f.severity == ERROR],
                warnings=[f for f in findings if f.severity != ERROR],
                link_of=link_of,
                reviews=pending_reviews(db.session),
                versions=list(reversed(versions(db.session))),
                can_publish=user_role() in PUBLISH_ROLES,
                can_waive=user_role() == ADMIN,
                can_request_review=user_role() in WRITE_ROLES,
                form=form or {},
                record_formats=RECORD_FORMATS,
                configured_managers=[(m, MANAGER_NAMES[m]) for m in CONFIGURED_MANAGERS],
                public_base=site_base(),
            ),
            status,
        )

    @expose("/preview/<any(fr,en):lang>")
    def preview(self, lang):
        """The draft exactly as it would be published; never cached, never public."""
        draft = prepare(db.session)
        html = render_policy(
            draft.document,
            lang,
            Edition(number=None, published_at=None),
            "preview",
            current_number=draft.current.number if draft.current else None,
            same_page_in=lambda other: url_for(".preview", lang=other),
        )
        response = Response(html, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    @expose("/publish", methods=("POST",))
    @writes
    def publish(self):
        if user_role() not in PUBLISH_ROLES:
            abort(403)
        form = {
            "note_fr": request.form.get("note_fr", ""),
            "note_en": request.form.get("note_en", ""),
            "french_only": set(request.form.getlist("french_only")),
        }
        expected = request.form.get("expected_current", type=int)
        if expected is None:
            abort(400)
        waived = set()
        for item in form["french_only"]:
            section, _, key = item.partition(":")
            # A record's id, a category's key, or nothing for the site settings.
            waived.add((section, int(key) if key.isdigit() else (key or None)))
        # Administrators alone waive a compliance error, one record at a time, with a reason.
        form["waive"] = set(request.form.getlist("waive")[:200]) if user_role() == ADMIN else set()
        form["reasons"] = {key: request.form.get(f"reason:{key}", "").strip() for key in form["waive"]}
        missing = [key for key, reason in form["reasons"].items() if not reason]
        too_long = [key for key, reason in form["reasons"].items() if len(reason) > 1000]
        if missing or too_long:
            flash(gettext("Write the reason for each error you waive (at most 1,000 characters)."), "error")
            return self._page(form, status=422)
        try:
            version = publish(
                db.session,
                note_fr=form["note_fr"],
                note_en=form["note_en"] or None,
                user=current_user,
                options=Options(french_only=waived, waived=form["reasons"]),
                expected_current=expected,
            )
        except PublicationRefused as refused:
            db.session.rollback()
            flash(str(refused), "error")
            for finding in refused.findings:
                flash(str(finding.message), "error")
            return self._page(form, status=409 if not refused.findings else 422)
        flash(gettext("Version %(number)d is published: visitors see it now.", number=version.number), "success")
        return redirect(url_for(".index"))

    @expose("/review", methods=("POST",))
    @writes
    def review(self):
        if user_role() not in WRITE_ROLES:
            abort(403)
        try:
            note = _REVIEW_NOTE(request.form.get("note"))
        except InventoryError as error:
            flash(str(error.message), "error")
            return redirect(url_for(".index"))
        settings = SiteSettings.current(db.session)
        if settings is None:
            abort(409)
        db.session.add(ReviewRequest(site_id=settings.id, requested_by=current_user.email, note=note))
        db.session.commit()
        flash(gettext("The draft is marked ready for review: publishers see it on the overview."), "success")
        return redirect(url_for(".index"))

    @expose("/versions/<int:number>.<any(html,pdf,json):fmt>")
    def record(self, number, fmt):
        """A published version as a self-contained record (HTML, PDF) or its JSON content."""
        version = version_number(db.session, number)
        if version is None:
            abort(404)
        lang = request.args.get("lang", "fr")
        if lang not in ("fr", "en"):
            abort(404)
        response = Response(record_bytes(version, fmt, lang), mimetype=RECORD_FORMATS[fmt][0])
        response.headers["Content-Disposition"] = f'attachment; filename="{record_filename(version, fmt, lang)}"'
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose(f"/configurations/<any({','.join(CONFIGURED_MANAGERS)}):manager>.json")
    def manager_configuration(self, manager):
        """The current version's configuration for a consent manager, as a file to put on the
        site (the same as /embed/<manager>.json, which a site can also read live)."""
        current = current_version(db.session)
        if current is None:
            abort(404)
        response = Response(configuration_json(manager, current, site_base()), mimetype="application/json")
        filename = f"{manager}-config-v{current.number}.json"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.headers["Cache-Control"] = "no-store"
        return response
