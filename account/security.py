"""The Flask-Security object, with our password policy (hardening/passwords.py)."""

from flask import abort, request
from flask_login import user_logged_out
from flask_security import Security

from hardening.passwords import PasswordPolicy
from models import db, writes

# password_util_cls is only honoured by the constructor, not by init_app.
security = Security(password_util_cls=PasswordPolicy)


def _not_offered():
    abort(404)


def _posted():
    return request.method == "POST"


def init_app(app, datastore):
    security.init_app(app, datastore)
    # Only the login form logs in: no authentication token is honoured (Flask-Security's
    # request loader would accept one in a header or the query string on any page).
    app.login_manager.request_loader(lambda request: None)

    @user_logged_out.connect_via(app)
    def _end_every_session(sender, user, **extra):
        # Sessions, remember-me cookies and tokens all carry fs_uniquifier: a new one ends them
        # on the server, not only in this browser (every session of the account, by design).
        if user is not None and getattr(user, "is_authenticated", False):
            security.datastore.set_uniquifier(user)
            db.session.commit()

    # Flask-Security's forms write when posted (login attempts, trackable logins, passwords,
    # two-factor secrets): they say so, like every other writer (models/database.py).
    # This application sends no e-mail: the two-factor rescue (a code or a message by mail)
    # cannot work, so it is not offered (templates/security/two_factor_verify_code.html).
    if "security.two_factor_rescue" in app.view_functions:
        app.view_functions["security.two_factor_rescue"] = _not_offered
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(app.config.get("SECURITY_BLUEPRINT_NAME", "security") + "."):
            app.view_functions[endpoint] = writes(view, when=_posted)
