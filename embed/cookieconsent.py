"""A configuration for orestbida/cookieconsent v3 (``CookieConsent.run``), from a published
version: one category per policy category that lists cookies, read-only when it needs no
consent; the cookies it may delete on refusal; the French and English texts with the policy's
cookie tables; ``revision`` = the version number, so that visitors are asked again only when a
publication changes the policy, never after a typo fix in the draft.

The library inserts every text as HTML (``innerHTML``), so every text here is escaped: an
editor's ``<img onerror>`` stays text. JSON cannot carry a RegExp: a prefix cookie is given as
``{"pattern": "^_ga"}`` and the loader (static/embed/cookieconsent.js) makes it a RegExp.
"""

import re

from flask_babel import force_locale, gettext
from markupsafe import escape

from charte.policy import Edition, charte_of, pick
from rules.consent import consent_days
from rules.language import DEFAULT_LANGUAGE, LANGUAGES

from .services import cookie_path

COOKIE_NAME = "cc_cookie"


def _deletable(cookie):
    """What the library can delete on refusal: the site's own HTTP cookies (a third party's are
    out of a page script's reach)."""
    return cookie["storage_kind"] == "http_cookie" and cookie["party"] == "first"


def _auto_clear(cookie):
    name = cookie["name"]
    if cookie["is_pattern"]:
        prefix = name.rstrip("*")
        entry = {"pattern": "^" + re.escape(prefix)}
    else:
        entry = {"name": name}
    if cookie_path(cookie) != "/":
        entry["path"] = cookie_path(cookie)
    if cookie["domain"]:
        entry["domain"] = cookie["domain"]
    return entry


def categories(document):
    """{key: {enabled, readOnly, autoClear}} for the categories that list cookies."""
    listed = {cookie["category"] for cookie in document.get("cookies", ())}
    found = {}
    for category in document.get("categories", ()):
        if category["key"] not in listed:
            continue
        exempt = not category["consent_required"]
        entry = {"enabled": exempt, "readOnly": exempt}
        if not exempt:
            cookies = [
                _auto_clear(c) for c in document["cookies"] if c["category"] == category["key"] and _deletable(c)
            ]
            entry["autoClear"] = {"cookies": cookies, "reloadPage": False}
        found[category["key"]] = entry
    return found


def translation(document, lang, policy_url):
    """The ``translations[lang]`` object: banner, preferences and one section per category
    with its cookie table. Every value is escaped HTML."""
    charte = charte_of(document, lang, Edition(number=None, published_at=None))
    listed = categories(document)
    with force_locale(lang):
        label = gettext("Read the cookie policy")
        link = f'<a href="{escape(policy_url)}">{escape(label)}</a>'
        sections = [
            {
                "description": str(
                    escape(
                        gettext(
                            "Choose which cookies you accept. Refusing is as easy as accepting, and you can change your mind at any time."
                        )
                    )
                )
            }
        ]
        for section in charte.sections:
            key = section.category["key"]
            if key not in listed:
                continue
            name, _ = pick(section.category["name"], lang)
            description, _ = pick(section.category.get("description"), lang)
            sections.append(
                {
                    "title": str(escape(name)),
                    "description": str(escape(description or "")),
                    "linkedCategory": key,
                    "cookieTable": {
                        "caption": str(escape(gettext("Cookies: %(category)s", category=name))),
                        "headers": {
                            "name": str(escape(gettext("Cookie name"))),
                            "provider": str(escape(gettext("Provider"))),
                            "purpose": str(escape(gettext("Purposes"))),
                            "duration": str(escape(gettext("Lifetime"))),
                        },
                        # The rows' texts are already escaped Markup (charte_of).
                        "body": [
                            {
                                "name": str(row.name),
                                "provider": str(row.provider.name),
                                "purpose": str(escape("; ").join(p.text for p in row.purposes)),
                                "duration": str(row.lifetime),
                            }
                            for row in section.cookies
                        ],
                    },
                }
            )
        sections.append({"title": str(escape(gettext("More information"))), "description": link})
        return {
            "consentModal": {
                "title": str(escape(gettext("We use cookies"))),
                "description": str(
                    escape(
                        gettext(
                            "Some cookies are needed for the site to work. With your consent, we also use others, listed in our cookie policy. You can accept them, refuse them, or choose."
                        )
                    )
                ),
                "acceptAllBtn": str(escape(gettext("Accept all"))),
                "acceptNecessaryBtn": str(escape(gettext("Refuse all"))),
                "showPreferencesBtn": str(escape(gettext("Choose"))),
                "footer": link,
            },
            "preferencesModal": {
                "title": str(escape(gettext("Your cookie choices"))),
                "acceptAllBtn": str(escape(gettext("Accept all"))),
                "acceptNecessaryBtn": str(escape(gettext("Refuse all"))),
                "savePreferencesBtn": str(escape(gettext("Save my choices"))),
                "closeIconLabel": str(escape(gettext("Close"))),
                "sections": sections,
            },
        }


def configuration(document, number, policy_urls):
    """The whole ``CookieConsent.run`` argument; ``policy_urls`` = {lang: the policy's address}."""
    return {
        "revision": number,
        "cookie": {"name": COOKIE_NAME, "expiresAfterDays": consent_days(document.get("publisher"))},
        "categories": categories(document),
        "language": {
            "default": DEFAULT_LANGUAGE,
            "autoDetect": "document",
            "translations": {lang: translation(document, lang, policy_urls[lang]) for lang in LANGUAGES},
        },
    }
