"""Guessing is stopped: passwords at the login form, codes at the two-factor step.

Every POST to either counts, whatever its `next`, content type or status code; its outcome is
read from Flask-Security's signals, not from the response. Failures are keyed on the account
(the e-mail as Flask-Security normalises it, so Unicode variants share one count) and on the
network address, with a much higher threshold for the address: one office, or a proxy's
clients, is not locked out by one person's typos. Attempts live in the database so that every
worker sees them; every outcome is logged.
"""

import logging
from datetime import timedelta

from flask import current_app, g, render_template, request, session
from flask_security import user_authenticated, user_failed_authn
from flask_security.twofactor import tf_clean_session
from sqlalchemy import delete, func, select

from models import LoginAttempt, User, db
from models.timestamps import utcnow

# Failures within WINDOW before further attempts get 429.
ACCOUNT_MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 50
WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=1)

PASSWORD, CODE = "password", "code"
_STEPS = {"security.login": PASSWORD, "security.two_factor_token_validation": CODE}
_LOG_NAMES = {PASSWORD: "login", CODE: "two-factor code"}

log = logging.getLogger("charte.auth")


def normalise_email(email):
    """The account key of an address: Flask-Security's normal form, else trimmed and casefolded."""
    email = "".join(ch for ch in str(email or "") if ch.isprintable()).strip()[:255]
    if not email:
        return ""
    try:
        return current_app.extensions["security"].mail_util.normalize(email)[:255]
    except ValueError:
        return email.casefold()


def recent_failures(step, email, remote_addr, now=None):
    """(failures of the account, failures from the address) within WINDOW at ``step``."""
    since = (now or utcnow()) - WINDOW
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.step == step, LoginAttempt.success.is_(False), LoginAttempt.attempted_at >= since)
    )
    account = db.session.scalar(failures.where(LoginAttempt.email == email)) if email else 0
    address = db.session.scalar(failures.where(LoginAttempt.remote_addr == remote_addr))
    return account, address


def _step():
    return _STEPS.get(request.endpoint) if request.method == "POST" else None


def _account_email(step):
    """The account this attempt is for: the typed address, or the user of the two-factor step."""
    if step == PASSWORD:
        return normalise_email(request.form.get("email") or (request.get_json(silent=True) or {}).get("email"))
    uniquifier = session.get("tf_user_id")
    user = db.session.scalars(select(User).where(User.fs_uniquifier == uniquifier)).first() if uniquifier else None
    return normalise_email(user.email) if user else ""


def _record(step, email, remote_addr, success):
    now = utcnow()
    db.session.add(LoginAttempt(step=step, email=email, remote_addr=remote_addr, success=success, attempted_at=now))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - KEEP))
    db.session.commit()


def _too_many(app):
    response = app.make_response((render_template("errors/error.html", code=429), 429))
    response.headers["Retry-After"] = str(int(WINDOW.total_seconds()))
    return response


def init_app(app):
    @user_authenticated.connect_via(app)
    def _authenticated(sender, user, **extra):
        g.authentication_succeeded = True

    @user_failed_authn.connect_via(app)
    def _failed(sender, user, **extra):
        g.authentication_failed = True

    def refuse_when_locked():
        step = _step()
        if step is None:
            return None
        g.attempt = (step, _account_email(step), request.remote_addr or "")
        if request.is_json:
            # Flask-Security's JSON login is not used here: refused, counted like any attempt.
            return app.make_response((render_template("errors/error.html", code=400), 400))
        account, address = recent_failures(*g.attempt)
        if account >= ACCOUNT_MAX_FAILURES or address >= ADDRESS_MAX_FAILURES:
            step, email, remote_addr = g.attempt
            log.warning("%s locked: email=%s addr=%s", _LOG_NAMES[step], email or "-", remote_addr)
            g.attempt = None
            if step == CODE:
                tf_clean_session()  # the password step again, once the window has passed
            return _too_many(app)
        return None

    # Before the CSRF check and every other hook: a refused token still counts as an attempt.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_when_locked)

    @app.after_request
    def record_attempt(response):
        attempt = g.pop("attempt", None)
        if attempt is None:
            return response
        step, email, remote_addr = attempt
        # The password step succeeds when the user is logged in or sent on to the second factor.
        succeeded = bool(g.get("authentication_succeeded")) or (
            step == PASSWORD and not g.get("authentication_failed") and session.get("tf_state") == "ready"
        )
        db.session.rollback()  # whatever the request left open; the attempt is written on its own
        _record(step, email, remote_addr, succeeded)
        if succeeded:
            log.info("%s succeeded: email=%s addr=%s", _LOG_NAMES[step], email, remote_addr)
        else:
            log.warning("%s failed: email=%s addr=%s", _LOG_NAMES[step], email or "-", remote_addr)
        return response
