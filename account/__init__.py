"""Back-office accounts around Flask-Security: the Security object, account creation, and the
interface language switch."""

from flask import Blueprint, redirect, request, session, url_for

from config import LANGUAGES
from hardening.redirects import safe_next

bp = Blueprint("account", __name__)


@bp.post("/language")
def set_language():
    """Remember the back-office language chosen by the user (POST, CSRF-protected)."""
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("admin.index")))
