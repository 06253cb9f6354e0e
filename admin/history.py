"""Back-office history: recent changes, a record's history field by field, restore.
Nothing here edits or deletes history; a restore is a new change, recorded like any other."""

from datetime import date, datetime, time, timedelta

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select

from inventory import history
from inventory.kinds import KINDS
from models import Category, Provider, Purpose, db
from models.database import writes
from models.history import ChangeSet, RecordChange
from models.inventory import PARTY_LABELS, STORAGE_LABELS
from rules import lifetime as lifetimes
from rules.language import in_page_language
from rules.validation import InventoryError

from .access import AccessMixin, can_write
from .labels import field_label, local_time
from .list_args import bounded_page, stored_integer

# The kinds in the order of the history's menu: the records edited most often first.
KIND_LABELS = {name: KINDS[name].label for name in ("cookie", "provider", "purpose", "category", "settings")}
# Publications are in the history too (inventory/publication/versions.py), with no record page here.
PUBLICATION = "policy_version"
KIND_LABELS[PUBLICATION] = _l("Publication")
# "Created" alone is also a date's label ("Créé le"): the operation has its own context.
ACTION_LABELS = {
    "create": lazy_pgettext("history action", "Created"),
    "update": _l("Modified"),
    "delete": _l("Deleted"),
}
SOURCE_LABELS = {
    "admin": _l("back office"),
    "import": _l("import"),
    "restore": _l("restore"),
    "scan": _l("site scan"),
    "cli": _l("command line"),
}
PAGE_SIZE = 50


def _names(model, ids, attribute):
    if not ids:
        return {}
    rows = db.session.execute(select(model.id, getattr(model, attribute)).where(model.id.in_(ids))).all()
    return dict(rows)


def _bilingual_names(model, ids, field):
    """{id: text} in the language of the page (English falls back to French)."""
    if not ids:
        return {}
    french_column, english_column = getattr(model, f"{field}_fr"), getattr(model, f"{field}_en")
    rows = db.session.execute(select(model.id, french_column, english_column).where(model.id.in_(ids))).all()
    return {ident: in_page_language(fr, en)[0] for ident, fr, en in rows}


# The records a cookie's version points to, by field: (kind, model, the field naming them).
REFERENCES = {
    "provider_id": ("provider", Provider, "name"),
    "category_id": ("category", Category, "name"),
    "purposes": ("purpose", Purpose, "description"),
}


def _reference_names(key, ids, change):
    """{id: name} of the records a version pointed to: their current name when the record
    with that id now is the same one, else (another record took the id, or none has it) the
    name the history gave it then, marked as no longer in the inventory."""
    kind_name, model, field = REFERENCES[key]
    names = _names(model, ids, field) if field == "name" and model is Provider else _bilingual_names(model, ids, field)
    if change is None:
        return names
    cache = g.setdefault("history_reference_names", {})
    for ident in ids:
        cached = cache.get((kind_name, ident, change.change_set_id))
        if cached is None:
            cached = names.get(ident)
            if not history.same_record_as_then(kind_name, ident, change):
                state = history.state_then(kind_name, ident, change) or {}
                old = in_page_language(state.get(f"{field}_fr"), state.get(f"{field}_en"))[0] or state.get(field)
                number = f"#{ident}"
                cached = gettext("%(name)s (no longer in the inventory)", name=old or number)
            cache[(kind_name, ident, change.change_set_id)] = cached
        names[ident] = cached
    return names


def display_value(key, value, change=None):
    """A snapshot value as the legal team reads it, in their language; a reference (provider,
    category, purposes) names the record it pointed to when ``change`` was made."""
    if value is None or value == "" or value == []:
        return Markup('<span class="text-muted">—</span>')
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    if key == "party":
        return PARTY_LABELS.get(value, value)
    if key == "storage_kind":
        return STORAGE_LABELS.get(value, value)
    if key == "lifetime_unit":
        return lifetimes.UNIT_LABELS.get(value, value)
    if key in ("provider_id", "category_id"):
        return _reference_names(key, [value], change).get(value) or f"#{value}"
    if key == "purposes":
        names = _reference_names(key, value, change)
        return Markup("<br>").join(escape(names.get(ident) or f"#{ident}") for ident in value)
    return value


def describe_change(change):
    """Rows of (label, before, after) for the fields this change touched."""
    keys = history.changed_fields(change.before, change.after)
    before, after = change.before or {}, change.after or {}
    return [
        (field_label(key), display_value(key, before.get(key), change), display_value(key, after.get(key), change))
        for key in keys
    ]


def _parse_day(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _day_after(day):
    """The start of the day after ``day``; None after the last day a date can hold."""
    try:
        return datetime.combine(day + timedelta(days=1), time.min)
    except OverflowError:
        return None


class HistoryView(AccessMixin, BaseView):
    """Recent changes across the inventory, and each record's history."""

    @expose("/")
    def index(self):
        args = request.args
        query = select(RecordChange).join(ChangeSet).order_by(RecordChange.id.desc())
        user = args.get("user", "").strip()
        model = args.get("model", "")
        # A label holds at most 300 characters: a longer text matches none.
        record = args.get("record", "").strip()[:300]
        day_from, day_to = _parse_day(args.get("from")), _parse_day(args.get("to"))
        if user:
            query = query.where(ChangeSet.user_email == user)
        if model in KIND_LABELS:
            query = query.where(RecordChange.model == model)
        if record:
            query = query.where(RecordChange.label.ilike(f"%{record}%"))
        if day_from:
            query = query.where(ChangeSet.created_at >= datetime.combine(day_from, time.min))
        if day_to and _day_after(day_to):
            query = query.where(ChangeSet.created_at < _day_after(day_to))
        page = bounded_page(args.get("page", 1, type=int)) or 1
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        changes = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        users = db.session.scalars(
            select(ChangeSet.user_email)
            .where(ChangeSet.user_email.is_not(None))
            .distinct()
            .order_by(ChangeSet.user_email)
        ).all()
        return self.render(
            "admin/history/recent.html",
            changes=changes,
            total=total,
            page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            users=users,
            filters={
                "user": user,
                "model": model,
                "record": record,
                "from": args.get("from", ""),
                "to": args.get("to", ""),
            },
            **self._helpers(),
        )

    @expose(f"/<any({','.join(KINDS)}):model>/<int:record_id>")
    def record(self, model, record_id):
        if stored_integer(record_id) is None:
            abort(404)
        current = db.session.get(KINDS[model].model, record_id)
        lives = history.record_lives(model, record_id)
        if not lives and current is None:
            abort(404)
        # The record that has this id now apart from earlier ones that had it (ids reused by
        # SQLite before migration 0006): each with its own changes, newest first.
        life = history.current_life(lives, current is not None)
        earlier = [list(reversed(other)) for other in reversed(lives) if other is not life]
        return self.render(
            "admin/history/record.html",
            model=model,
            record_id=record_id,
            changes=list(reversed(life)),
            earlier=earlier,
            current=current,
            **self._helpers(),
        )

    @expose("/restore/<int:change_id>", methods=("POST",))
    @writes
    def restore(self, change_id):
        if not can_write():
            abort(403)
        change = db.session.get(RecordChange, change_id) if stored_integer(change_id) is not None else None
        if change is None or change.model not in KINDS:  # a publication is never "restored"
            abort(404)
        target = url_for(".record", model=change.model, record_id=change.record_id)
        try:
            with history.recording("restore"):
                restored = history.restore(change)
                db.session.commit()
                restored_id = restored.id
        except InventoryError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(target)
        except Exception:
            db.session.rollback()
            self.admin.app.logger.exception("Restore of change %s failed", change_id)
            flash(
                _l(
                    "This version could not be restored: it conflicts with the current data (for example another record now uses the same name). Nothing was changed."
                ),
                "error",
            )
            return redirect(target)
        when = local_time(change.change_set.created_at)
        # gettext, not _l: a lazy string counts as HTML, so the record's name would not be escaped.
        if restored_id == change.record_id:
            flash(gettext("“%(record)s” is back as it was on %(when)s.", record=str(restored), when=when), "success")
        else:
            flash(
                gettext(
                    "“%(record)s” is back as it was on %(when)s, as a new record: its former number belongs to another record.",
                    record=str(restored),
                    when=when,
                ),
                "success",
            )
        return redirect(url_for(".record", model=change.model, record_id=restored_id))

    def _helpers(self):
        return {
            "model_labels": KIND_LABELS,
            "action_labels": ACTION_LABELS,
            "source_labels": SOURCE_LABELS,
            "describe_change": describe_change,
            "can_restore": can_write(),
        }
