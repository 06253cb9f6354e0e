"""Password policy, shared by the login pages, the back office and the CLI:
at least SECURITY_PASSWORD_LENGTH_MIN characters, and not the e-mail address."""

from flask_babel import gettext
from flask_security import PasswordUtil


class PasswordPolicy(PasswordUtil):
    def validate(self, password, is_register, **kwargs):
        problems, normalized = super().validate(password, is_register, **kwargs)
        if problems:
            return problems, normalized
        user = kwargs.get("user")
        email = (getattr(user, "email", None) or kwargs.get("email") or "").strip().casefold()
        candidate = normalized.strip().casefold()
        if email and candidate in (email, email.split("@")[0]):
            return [gettext("The password must not be your e-mail address.")], normalized
        return None, normalized


def policy_problems(password, email):
    """Reasons why ``password`` is refused for ``email`` (empty when accepted)."""
    from flask import current_app

    problems, _ = current_app.extensions["security"].password_util.validate(password or "", True, email=email)
    return problems or []
