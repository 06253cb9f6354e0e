"""Account helpers around Flask-Security: the interface language switch."""
from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, session, url_for

from config import LANGUAGES

bp = Blueprint("account", __name__)


def safe_next(target, fallback):
    """Only same-site paths: no scheme, no host, no '//' or '\\' tricks."""
    if not target or not isinstance(target, str):
        return fallback
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


@bp.post("/language")
def set_language():
    """Remember the back-office language chosen by the user (POST, CSRF-protected)."""
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("admin.index")))
