"""The base of every back-office model view, and of the inventory records' views."""

import contextvars
import copy
import logging
from datetime import datetime

from flask import abort, flash, g, request, url_for
from flask_admin import AdminIndexView, expose
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_admin.babel import ngettext as admin_ngettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import rules
from flask_admin.helpers import is_form_submitted
from flask_admin.model import typefmt
from flask_babel import format_number, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy import UniqueConstraint, distinct, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from inventory.history import changed_fields, record_history
from inventory.kinds import kind_of
from inventory.publication.checks import ERROR
from models import db
from models.database import writing
from rules.language import ngettext
from rules.validation import InventoryError
from rules.validation import text as text_rule

from . import findings, flask_admin_adapter
from .access import WRITE_ROLES, AccessMixin, user_role
from .labels import FIELD_LABELS, field_label, local_time
from .list_args import bounded_page, limited_search, read_search, stored_integer

log = logging.getLogger(__name__)

# The words of a search that the view answers itself (``search_condition``), while its list
# query is being built.
_own_search_words = contextvars.ContextVar("own_search_words", default=())


def _writing_if_posted(view):
    if request.method == "POST":
        with writing():
            return view()
    return view()


def edited_record(form):
    """The record an edit form was opened for; None for a creation or the list's inline form."""
    return getattr(form, "edited_record", None)


class SecureIndexView(AccessMixin, AdminIndexView):
    pass


class SecureModelView(AccessMixin, ModelView):
    """Login and roles, write intent, errors that never show exception text, and Flask-Admin's
    forms and lists made safe for the back office."""

    write_roles = WRITE_ROLES
    page_size = 50
    can_view_details = True
    can_set_page_size = True
    details_modal = False
    edit_modal = False
    create_modal = False
    column_labels = FIELD_LABELS
    # Record pages say Yes/No in the editor's language (Flask-Admin shows True/False there).
    column_type_formatters_detail = {
        **typefmt.DETAIL_FORMATTERS,
        bool: lambda view, value, name: gettext("Yes") if value else gettext("No"),
        datetime: lambda view, value, name: local_time(value),
    }
    # Times in lists too: the site's time zone, as on record pages and in the history.
    column_type_formatters = {**typefmt.BASE_FORMATTERS, datetime: lambda view, value, name: local_time(value)}
    form_excluded_columns = ("created_at", "updated_at", "version")
    column_display_pk = False
    # A view that answers a search word itself gives a method ``search_condition(word)``
    # returning a SQL condition; Flask-Admin's own search is then skipped.
    search_condition = None

    @property
    def can_create(self):
        return user_role() in self.write_roles

    @property
    def can_edit(self):
        return user_role() in self.write_roles

    @property
    def can_delete(self):
        return user_role() in self.write_roles

    def search_placeholder(self):
        """A placeholder that fits the box (Flask-Admin lists every searched column, cut off
        after thirty characters): what is searched, in a word."""
        return gettext("Search the %(records)s", records=str(self.name).lower())

    def set_editable_columns(self, columns):
        """Offer inline editing of ``columns`` in the list (none: an empty tuple)."""
        self.column_editable_list = columns
        flask_admin_adapter.rebuild_forms(self)

    # --- The views that write, at Flask-Admin 2.2.1's URLs: their transactions take SQLite's
    # write lock from their first statement, so that concurrent saves queue instead of failing.

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        return _writing_if_posted(super().create_view)

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        return _writing_if_posted(super().edit_view)

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        with writing():
            return super().delete_view()

    @expose("/action/", methods=("POST",))
    def action_view(self):
        with writing():
            return super().action_view()

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        # Flask-Admin's inline edit does not check can_edit: refuse it to viewers here.
        if not self.can_edit:
            abort(403)
        with writing():
            return super().ajax_update()

    # --- Lists

    def _get_list_extra_args(self):
        # Flask-Admin reads the list page's arguments here: a bounded page and search.
        args = super()._get_list_extra_args()
        args.page = bounded_page(args.page)
        args.search = read_search(args.search)
        return args

    def get_one(self, id):
        # An id no record can have (not a number, beyond the column's integers) is no record:
        # PostgreSQL would fail on the comparison instead of finding nothing.
        if stored_integer(id) is None:
            return None
        return super().get_one(id)

    def get_query(self):
        return self._with_own_search(super().get_query())

    def get_count_query(self):
        # Flask-Admin's search through a to-many relation joins one row per match: then count
        # records, not joined rows. Otherwise count(*): DISTINCT costs PostgreSQL a sort.
        if self._searches_through_to_many():
            query = db.session.query(func.count(distinct(self.model.id))).select_from(self.model)
        else:
            query = db.session.query(func.count()).select_from(self.model)
        return self._with_own_search(query)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        # Whoever calls: the page and search stay within bounds (the message is the caller's).
        page = bounded_page(page) if page is not None else None
        search = limited_search(search)[0]
        own_search = bool(search) and self.search_condition is not None
        token = _own_search_words.set(tuple(search.split()) if own_search else ())
        try:
            count, query = super().get_list(
                page,
                sort_column,
                sort_desc,
                None if own_search else search,
                filters,
                execute=False,
                page_size=page_size,
            )
        finally:
            _own_search_words.reset(token)
        if not execute:
            return count, query
        # Nothing matched: the page's query would only read the table once more to find nothing.
        if count == 0:
            return count, []
        return count, query.all()

    def _with_own_search(self, query):
        for word in _own_search_words.get():
            query = query.filter(self.search_condition(word))
        return query

    def _searches_through_to_many(self):
        if self.search_condition is not None:
            return False
        for path in self.column_searchable_list or ():
            if not isinstance(path, str):
                continue
            mapper = inspect(self.model)
            for step in path.split(".")[:-1]:
                relation = mapper.relationships.get(step)
                if relation is None:
                    break
                if relation.uselist:
                    return True
                mapper = relation.mapper
        return False

    # --- Forms

    def render(self, template, **kwargs):
        # Flask-Admin's Bootstrap 4 templates write "is-invalid" into the widget arguments they
        # are given: pass a copy, or one failed submission marks the field for every later form.
        form_opts = kwargs.get("form_opts")
        if form_opts is not None:
            form_opts.widget_args = copy.deepcopy(form_opts.widget_args)
        kind = kind_of(self.model)
        if (
            kind is not None
            and kwargs.get("model") is not None
            and template in (self.edit_template, self.details_template)
        ):
            # The compliance findings on this record, at the top of its form.
            kwargs["record_findings"] = findings.by_record(findings.draft_findings()).get(
                findings.record_key(kind.name, kwargs["model"]), []
            )
        return super().render(template, **kwargs)

    @pass_context
    def get_list_value(self, context, model, name):
        """The list's first column carries a badge when the record has compliance findings."""
        value = super().get_list_value(context, model, name)
        kind = kind_of(self.model)
        if kind is None or not self.column_list or name != self.column_list[0] or kind.name == "settings":
            return value
        if "record_findings" not in g:
            g.record_findings = findings.by_record(findings.draft_findings())
        found = g.record_findings.get(findings.record_key(kind.name, model), [])
        if not found:
            return value
        errors = sum(1 for f in found if f.severity == ERROR)
        badge = Markup(' <a class="badge badge-{} compliance-badge" href="{}" title="{}">{}</a>').format(
            "danger" if errors else "warning",
            url_for("compliance.index"),
            ngettext("Compliance: %(num)s finding", "Compliance: %(num)s findings", len(found)),
            errors or len(found),
        )
        return Markup("{}{}").format(value, badge)

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.edited_record = None
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form.edited_record = obj
        return form

    def validate_form(self, form):
        submitted = is_form_submitted()
        if submitted and self._refuse_nul(form):
            return False
        valid = super().validate_form(form)
        if not submitted:
            # A form being displayed (GET) is not checked: no errors before the user types.
            return valid
        for field in form:
            # Flask-Admin's templates only show str errors: translate lazy messages now.
            if isinstance(field.errors, list):
                field.errors = [str(e) if isinstance(e, LazyString) else e for e in field.errors]
        return self.validate_submitted(form, valid)

    def validate_submitted(self, form, valid):
        """The view's own checks of a submitted form, after WTForms' validators."""
        return valid

    def _refuse_nul(self, form):
        """PostgreSQL cannot even look up a text holding a NUL character: Flask-Admin's Unique
        validator would fail with an error. Refuse it, with the text rule's message, first."""
        refused = False
        for field in form:
            if isinstance(field.data, str) and "\x00" in field.data:
                try:
                    text_rule(len(field.data))(field.data)
                except InventoryError as error:
                    field.errors = [str(error)]
                    refused = True
        return refused

    def handle_view_exception(self, exc):
        """Never show exception text: say what happened and what to do."""
        if isinstance(exc, InventoryError):
            flash(str(exc), "error")
            return True
        if isinstance(exc, StaleDataError):
            flash(
                _l(
                    "Someone saved this record at the same moment: nothing was saved. Reload the page to see their change, then try again."
                ),
                "error",
            )
            return True
        if isinstance(exc, IntegrityError):
            log.warning("Integrity error in %s: %s", self.__class__.__name__, exc)
            flash(
                _l(
                    "This change conflicts with existing data (a duplicate or a record still in use). Nothing was saved."
                ),
                "error",
            )
            return True
        log.exception("Back-office error in %s", self.__class__.__name__)
        flash(
            _l("The change could not be saved because of an unexpected error. Nothing was changed; please try again."),
            "error",
        )
        return True


class HiddenFieldRule(rules.BaseRule):
    """Renders a hidden field inside a form laid out with ``form_rules``."""

    def __init__(self, name):
        super().__init__()
        self.name = name

    @property
    def visible_fields(self):
        return [self.name]

    def __call__(self, form, form_opts=None, field_args=None):
        field = getattr(form, self.name, None)
        return Markup(field()) if field is not None else ""


class InventoryView(SecureModelView):
    """An inventory record's view: a History tab, the model's field rules and uniqueness
    checked on the form, a refused save over someone else's change, a bulk delete that
    explains each refusal."""

    edit_template = "admin/inventory/edit.html"
    details_template = "admin/inventory/details.html"
    duplicate_message = _l("Another record already uses this value.")

    @property
    def kind(self):
        return kind_of(self.model)

    def __init__(self, model, *args, **kwargs):
        if hasattr(model, "version"):
            # Flask-Admin only adds extra fields named in form_columns and form_rules.
            self.form_extra_fields = {**(self.form_extra_fields or {}), "expected_version": HiddenField()}
            if self.form_columns:
                self.form_columns = (*self.form_columns, "expected_version")
            if self.form_rules:
                self.form_rules = (*self.form_rules, HiddenFieldRule("expected_version"))
        super().__init__(model, *args, **kwargs)

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if obj is not None and hasattr(form, "expected_version") and not is_form_submitted():
            form.expected_version.data = obj.version
        return form

    def update_model(self, form, model):
        """Refuse to save over a change made since the editor opened the form."""
        expected = getattr(form, "expected_version", None)
        # Every back-office form carries the version; a client that sends none opts out.
        if expected is not None and expected.data and str(expected.data) != str(model.version):
            self._refuse_stale_save(form, model, expected.data)
            return False
        return super().update_model(form, model)

    def _refuse_stale_save(self, form, model, expected):
        try:
            expected = int(expected)
        except (TypeError, ValueError):
            expected = 0
        meanwhile = [
            change
            for change in record_history(self.kind.name, model.id)
            if change.after and change.after.get("version", 0) > expected
        ]
        who = sorted({change.change_set.user_email or "?" for change in meanwhile})
        fields = []
        for change in reversed(meanwhile):
            for key in changed_fields(change.before, change.after):
                label = str(field_label(key))
                if label not in fields:
                    fields.append(label)
        # gettext, not _l: a lazy string counts as HTML, so the names in it would not be escaped.
        flash(
            gettext(
                "Your changes were NOT saved: %(who)s modified this record while you were editing it "
                "(%(fields)s). Your entries are still in the form: compare them with the current "
                "record (History tab), then save again to replace it.",
                who=", ".join(who) or _l("someone else"),
                fields=", ".join(fields) or _l("no visible field"),
            ),
            "error",
        )
        # A deliberate second save, made knowing the other change, goes through.
        form.expected_version.data = model.version

    def validate_submitted(self, form, valid):
        for name, rule in getattr(self.model, "__field_rules__", {}).items():
            field = getattr(form, name, None)
            if field is None or field.errors:
                continue
            try:
                field.data = rule(field.data)
            except InventoryError as error:
                field.errors = [*field.errors, str(error)]
                valid = False
        if valid:
            valid = self._check_unique(form)
        return valid

    def _check_unique(self, form):
        """Report a duplicate next to the field, before the database refuses it."""
        editing = edited_record(form)
        valid = True
        table = self.model.__table__
        for constraint in [c for c in table.constraints if isinstance(c, UniqueConstraint)] + [
            UniqueConstraint(col) for col in table.columns if col.unique
        ]:
            names = [col.name for col in constraint.columns]
            fields = [getattr(form, name, None) for name in names]
            if any(field is None for field in fields):
                continue
            query = select(self.model).where(
                *[
                    getattr(self.model, name) == (field.data if field.data is not None else "")
                    for name, field in zip(names, fields)
                ]
            )
            if editing is not None:
                query = query.where(self.model.id != editing.id)
            if db.session.scalars(query.limit(1)).first() is not None:
                fields[0].errors = [*fields[0].errors, str(self.duplicate_message)]
                valid = False
        return valid

    @action(
        "delete",
        admin_lazy_gettext("Delete"),
        admin_lazy_gettext("Are you sure you want to delete selected records?"),
    )
    def action_delete(self, ids):
        """Bulk delete, record by record, so that each refusal is explained.

        Flask-Admin's own version compares integer keys with text on PostgreSQL
        and flashes the raw exception."""
        ids = [stored_integer(ident) for ident in ids]
        if None in ids:
            flash(_l("Nothing was deleted: the selection was not valid."), "error")
            return
        primary_key = self.model.__mapper__.primary_key[0]
        count = 0
        for model in db.session.scalars(select(self.model).where(primary_key.in_(ids))).all():
            if self.delete_model(model):
                count += 1
        if count:
            flash(
                admin_ngettext(
                    "Record was successfully deleted.",
                    "%(count)s records were successfully deleted.",
                    count,
                    count=format_number(count),
                ),
                "success",
            )
