"""The Flask-Security object, with our password policy (hardening/passwords.py)."""

from flask import request
from flask_security import Security

from hardening.passwords import PasswordPolicy
from models import writes

# password_util_cls is only honoured by the constructor, not by init_app.
security = Security(password_util_cls=PasswordPolicy)


def _posted():
    return request.method == "POST"


def init_app(app, datastore):
    security.init_app(app, datastore)
    # Flask-Security's forms write when posted (login attempts, trackable logins, passwords,
    # two-factor secrets): they say so, like every other writer (models/database.py).
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(app.config.get("SECURITY_BLUEPRINT_NAME", "security") + "."):
            app.view_functions[endpoint] = writes(view, when=_posted)
