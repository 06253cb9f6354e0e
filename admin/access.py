"""Who may use the back office: the roles, and the check every back-office view makes."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_security import current_user

from models.user import ROLE_NAMES

ADMIN, PUBLISHER, EDITOR, VIEWER = ROLE_NAMES
READ_ROLES = (ADMIN, PUBLISHER, EDITOR, VIEWER)
WRITE_ROLES = (ADMIN, PUBLISHER, EDITOR)  # who changes the inventory (the draft)
PUBLISH_ROLES = (ADMIN, PUBLISHER)  # who publishes it
ADMIN_ROLES = (ADMIN,)  # who manages the accounts


def user_role():
    """The current user's role, or None for a visitor or a deactivated account."""
    if not current_user.is_authenticated or not current_user.active:
        return None
    return current_user.role_name


def can_write():
    return user_role() in WRITE_ROLES


def can_publish():
    return user_role() in PUBLISH_ROLES


def needs_two_factor_setup():
    """With REQUIRE_ADMIN_2FA on, an administrator without two-factor authentication is held back."""
    return current_app.config.get("REQUIRE_ADMIN_2FA") and user_role() == ADMIN and not current_user.tf_primary_method


class AccessMixin:
    """Anonymous visitors are sent to the login page; users without the role get 403."""

    allowed_roles = READ_ROLES

    def is_accessible(self):
        return user_role() in self.allowed_roles and not needs_two_factor_setup()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("security.login", next=request.full_path.rstrip("?")))
        if needs_two_factor_setup():
            flash(_l("Administrators must set up two-factor authentication before using the back office."), "error")
            return redirect(url_for("security.two_factor_setup"))
        abort(403)
