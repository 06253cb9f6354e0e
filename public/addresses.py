"""This app's public addresses as another site must call them: the API's feeds and the
embedded policy are read from elsewhere, so their links are absolute."""

from flask import current_app, request, url_for

from rules.language import LANGUAGES


def site_base():
    """This app's public address (PUBLIC_URL, else the request's host), without a final "/"."""
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def policy_urls(base):
    """{lang: the current policy's address} in every language."""
    return {lang: base + url_for("charte.cookies", lang=lang) for lang in LANGUAGES}


def address_key():
    """What a cached page whose links are absolute is keyed by, besides its kind: nothing when
    PUBLIC_URL fixes the address (the middleware then serves it), else the request's host."""
    return () if current_app.config.get("PUBLIC_URL") else (site_base(),)
