"""Brute-force protection for the login form.

After MAX_FAILURES failed logins for one e-mail address, or from one network
address, within WINDOW, further attempts get 429 until the window has moved on.
Known and unknown addresses are treated alike. Attempts live in the database so
that every worker sees them; every outcome is logged.
"""

import logging
from datetime import timedelta

from flask import render_template, request
from sqlalchemy import delete, func, or_, select

from hardening.redirects import safe_next
from models import LoginAttempt, db
from models.timestamps import utcnow

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=1)

log = logging.getLogger("charte.auth")


def _is_login_post():
    return request.method == "POST" and request.endpoint == "security.login"


def _submitted_email():
    return (request.form.get("email") or "").strip().lower()[:255]


def recent_failures(email, remote_addr, now=None):
    since = (now or utcnow()) - WINDOW
    conditions = [LoginAttempt.remote_addr == remote_addr]
    if email:
        conditions.append(LoginAttempt.email == email)
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.success.is_(False), LoginAttempt.attempted_at >= since, or_(*conditions))
    )


def _record(email, remote_addr, success):
    now = utcnow()
    db.session.add(LoginAttempt(email=email, remote_addr=remote_addr, success=success, attempted_at=now))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - KEEP))
    db.session.commit()


def init_app(app):
    @app.before_request
    def refuse_when_locked():
        if not _is_login_post():
            return None
        email, remote_addr = _submitted_email(), request.remote_addr or ""
        if recent_failures(email, remote_addr) >= MAX_FAILURES:
            log.warning("login locked: email=%s addr=%s", email or "-", remote_addr)
            response = app.make_response((render_template("errors/error.html", code=429), 429))
            response.headers["Retry-After"] = str(int(WINDOW.total_seconds()))
            return response
        return None

    @app.after_request
    def record_attempt(response):
        # 200: the form came back (wrong credentials); 3xx: logged in. Anything else is not a login.
        if not _is_login_post() or response.status_code not in (200, 301, 302, 303):
            return response
        # Flask-Security refuses a form whose `next` leads off the site: that is a hostile link,
        # not a wrong password, and must not lock the account.
        target = request.args.get("next") or request.form.get("next")
        if target and safe_next(target, None) is None:
            return response
        email, remote_addr = _submitted_email(), request.remote_addr or ""
        # Flask-Security redirects after a successful form login and shows the form again otherwise.
        success = response.status_code in (301, 302, 303)
        _record(email, remote_addr, success)
        if success:
            log.info("login succeeded: email=%s addr=%s", email, remote_addr)
        else:
            log.warning("login failed: email=%s addr=%s", email or "-", remote_addr)
        return response
