"""The one base class for every back-office view: login, roles, validation, safe errors."""
import copy
import logging

from flask import abort, flash, redirect, request, url_for
from flask_admin import AdminIndexView
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_admin.babel import ngettext as admin_ngettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.helpers import is_form_submitted
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_security import current_user
from sqlalchemy import UniqueConstraint, distinct, func, select
from sqlalchemy.exc import IntegrityError

from inventory.validation import InventoryError
from models import db

from .labels import FIELD_LABELS

log = logging.getLogger(__name__)

READ_ROLES = ("admin", "editor", "viewer")
WRITE_ROLES = ("admin", "editor")


def user_role():
    if not current_user.is_authenticated or not current_user.active:
        return None
    return current_user.role_name


class AccessMixin:
    """Anonymous visitors are sent to the login page; users without the role get 403."""

    allowed_roles = READ_ROLES

    def is_accessible(self):
        return user_role() in self.allowed_roles

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("security.login", next=request.full_path.rstrip("?")))
        abort(403)


class SecureIndexView(AccessMixin, AdminIndexView):
    pass


class SecureModelView(AccessMixin, ModelView):
    """Base for inventory views. Field rules of the model run on the form too."""

    page_size = 50
    can_view_details = True
    can_set_page_size = True
    details_modal = False
    edit_modal = False
    create_modal = False
    column_labels = FIELD_LABELS
    form_excluded_columns = ("created_at", "updated_at")
    column_display_pk = False
    # Flask-Admin's record pages plus a "History" tab.
    edit_template = "admin/inventory/edit.html"
    details_template = "admin/inventory/details.html"

    # Roles: viewers read; editors and admins change the inventory.
    @property
    def can_create(self):
        return user_role() in WRITE_ROLES

    @property
    def can_edit(self):
        return user_role() in WRITE_ROLES

    @property
    def can_delete(self):
        return user_role() in WRITE_ROLES

    def get_count_query(self):
        # Searching a to-many relation (a cookie's purposes) joins one row per match:
        # count records, not joined rows, or "List (6)" shows above four cookies.
        return db.session.query(func.count(distinct(self.model.id))).select_from(self.model)

    def render(self, template, **kwargs):
        # Flask-Admin's Bootstrap 4 templates write "is-invalid" into the widget arguments they
        # are given: pass a copy, or one failed submission marks the field for every later form.
        form_opts = kwargs.get("form_opts")
        if form_opts is not None:
            form_opts.widget_args = copy.deepcopy(form_opts.widget_args)
        return super().render(template, **kwargs)

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form._editing = obj
        return form

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not is_form_submitted():
            # A form being displayed (GET) is not checked: no errors before the user types.
            return valid
        for field in getattr(form, "_fields", {}).values():
            # Flask-Admin's templates only show str errors: translate lazy messages now.
            if isinstance(field.errors, list):
                field.errors = [str(e) if isinstance(e, LazyString) else e for e in field.errors]
        rules = getattr(self.model, "__field_rules__", {})
        for name, rule in rules.items():
            field = getattr(form, name, None)
            if field is None or field.errors:
                continue
            try:
                field.data = rule(field.data)
            except InventoryError as error:
                field.errors = [*field.errors, str(error)]
                valid = False
        if valid and hasattr(form, "_fields"):
            valid = self._check_unique(form) and valid
        return valid

    def _check_unique(self, form):
        """Report a duplicate next to the field, before the database refuses it."""
        editing = getattr(form, "_editing", None)
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
                *[getattr(self.model, name) == (field.data if field.data is not None else "") for name, field in zip(names, fields)]
            )
            if editing is not None:
                query = query.where(self.model.id != editing.id)
            if db.session.scalars(query.limit(1)).first() is not None:
                fields[0].errors = [*fields[0].errors, str(self.duplicate_message)]
                valid = False
        return valid

    duplicate_message = _l("Another record already uses this value.")

    @action(
        "delete",
        admin_lazy_gettext("Delete"),
        admin_lazy_gettext("Are you sure you want to delete selected records?"),
    )
    def action_delete(self, ids):
        """Bulk delete, record by record, so that each refusal is explained.

        Flask-Admin's own version compares integer keys with text on PostgreSQL
        and flashes the raw exception."""
        try:
            ids = [int(ident) for ident in ids]
        except (TypeError, ValueError):
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
                    count=count,
                ),
                "success",
            )

    def handle_view_exception(self, exc):
        """Never show exception text: say what happened and what to do."""
        if isinstance(exc, InventoryError):
            flash(str(exc), "error")
            return True
        if isinstance(exc, IntegrityError):
            log.warning("Integrity error in %s: %s", self.__class__.__name__, exc)
            flash(
                _l("This change conflicts with existing data (a duplicate or a record still in use). Nothing was saved."),
                "error",
            )
            return True
        log.exception("Back-office error in %s", self.__class__.__name__)
        flash(_l("The change could not be saved because of an unexpected error. Nothing was changed; please try again."), "error")
        return True
