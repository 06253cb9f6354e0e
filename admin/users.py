"""Back-office accounts, for administrators only: create, change role, deactivate,
set a new password. Accounts are deactivated rather than deleted, so that the
change history keeps naming who did what."""

import logging

from flask import flash
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_security import current_user, hash_password
from markupsafe import Markup
from sqlalchemy import select
from wtforms import PasswordField, SelectField
from wtforms.validators import Email, InputRequired

from account.security import security
from hardening.passwords import policy_problems
from models import Role, db
from models.user import ROLE_LABELS, ROLE_NAMES
from rules.validation import InventoryError

from .access import ADMIN, ADMIN_ROLES
from .base import SecureModelView, edited_record

log = logging.getLogger("charte.auth")


class UserView(SecureModelView):
    allowed_roles = write_roles = ADMIN_ROLES

    column_list = ("email", "roles", "active", "current_login_at", "last_login_at", "login_count", "two_factor")
    column_details_list = column_list + ("current_login_ip", "create_datetime")
    column_searchable_list = ("email",)
    column_filters = ("active",)
    column_default_sort = ("email", False)
    column_labels = {
        **SecureModelView.column_labels,
        "login_count": _l("Logins"),
        "two_factor": _l("Two-factor authentication"),
        "current_login_ip": _l("Last login address"),
        "create_datetime": _l("Created"),
    }
    column_formatters = {
        "roles": lambda v, c, m, n: ROLE_LABELS.get(m.role_name, "—"),
        "two_factor": lambda v, c, m, n: (
            Markup('<span class="badge badge-success">{}</span>').format(_l("On"))
            if m.tf_primary_method
            else Markup('<span class="badge badge-secondary">{}</span>').format(_l("Off"))
        ),
    }
    column_formatters_detail = column_formatters

    form_columns = ("email", "role", "active", "new_password")
    form_extra_fields = {
        "role": SelectField(_l("Role"), choices=[(name, ROLE_LABELS[name]) for name in ROLE_NAMES]),
        "new_password": PasswordField(
            _l("New password"),
            description=_l("At least 12 characters, not the e-mail address. Leave empty to keep the current one."),
        ),
    }
    form_args = {
        "email": {"validators": [InputRequired(), Email(message=_l("Enter a valid e-mail address."))]},
        "active": {
            "default": True,
            "description": _l("A deactivated account is logged out at once and can no longer log in."),
        },
    }

    # Accounts are never deleted from the back office; deactivate them instead.
    can_delete = False

    def is_action_allowed(self, name):
        return False

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if obj is not None and not form.role.raw_data:
            form.role.data = obj.role_name
        return form

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.new_password.flags.required = True
        return form

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "new_password"):
            return valid
        editing = edited_record(form)
        password = form.new_password.data or ""
        if editing is None and not password:
            form.new_password.errors = [*form.new_password.errors, str(_l("Choose a password for the new account."))]
            valid = False
        elif password:
            problems = policy_problems(password, form.email.data)
            if problems:
                form.new_password.errors = [*form.new_password.errors, *problems]
                valid = False
        # Nobody can lock themselves (and maybe everyone) out of the back office.
        if editing is not None and editing.id == current_user.id and (not form.active.data or form.role.data != ADMIN):
            form.role.errors = [
                *form.role.errors,
                str(_l("You cannot remove your own administrator role or deactivate yourself.")),
            ]
            valid = False
        return valid

    def on_model_change(self, form, user, is_created):
        user.email = (form.email.data or "").strip().lower()
        role = db.session.scalars(select(Role).where(Role.name == form.role.data)).first()
        if role is None:
            raise InventoryError(_l("Choose a role."))
        user.roles = [role]
        if form.new_password.data:
            user.password = hash_password(form.new_password.data)
        if not is_created and (form.new_password.data or not user.active):
            # A new password or a deactivation ends every open session of that account.
            security.datastore.set_uniquifier(user)
        log.info(
            "account %s by %s: %s role=%s active=%s password_changed=%s",
            "created" if is_created else "updated",
            current_user.email,
            user.email,
            role.name,
            user.active,
            bool(form.new_password.data),
        )

    def after_model_change(self, form, user, is_created):
        flash(gettext("The account %(email)s is saved.", email=user.email), "success")
