"""A configuration for Klaro (kiprotect/klaro, ``klaro.setup``), from a published version.

Klaro thinks in services: here one per provider and category, named ``provider-<id>-<category>``
(stable across versions: Klaro asks a visitor again when a service it has not seen appears).
Its purposes are the policy's categories; a service is ``required`` when its category needs no
consent. Klaro deletes a refused service's cookies by pattern (a string starting with "^" is a
regular expression, any other an exact name) but never lists them, so each service's
description names its cookies. Klaro writes its texts as text (``htmlTexts`` off): nothing
here is HTML-escaped, and an editor's markup shows as typed.
"""

import re

from flask_babel import force_locale, gettext

from charte.policy import pick
from models.inventory import display_name
from rules.consent import consent_days
from rules.language import LANGUAGES

from .services import cookie_path
from .services import services as service_list


def _pattern(cookie):
    if cookie["is_pattern"]:
        pattern = "^" + re.escape(cookie["name"].rstrip("*"))
    else:
        pattern = cookie["name"]
        if pattern.startswith("^"):  # an exact name that Klaro would read as a pattern
            pattern = "^" + re.escape(pattern) + "$"
    path = cookie_path(cookie)
    if cookie["domain"]:
        return [pattern, path, cookie["domain"]]
    # Klaro writes "domain=" for any third item it is given: none for the site's own cookies.
    return [pattern, path] if path != "/" else pattern


def _description(provider, cookies, lang):
    names = ", ".join(display_name(c["name"], c["is_pattern"]) for c in cookies)
    text = gettext("Cookies: %(names)s.", names=names)
    if provider.get("privacy_policy_url"):
        text += " " + gettext("Privacy policy: %(url)s", url=provider["privacy_policy_url"])
    return text


def configuration(document, policy_urls):
    categories = {c["key"]: c for c in document.get("categories", ())}
    services = service_list(document)
    translations = {"zz": {"privacyPolicyUrl": policy_urls[LANGUAGES[0]]}}
    for lang in LANGUAGES:
        with force_locale(lang):
            texts = {
                "privacyPolicyUrl": policy_urls[lang],
                "consentModal": {
                    "title": gettext("Your cookie choices"),
                    "description": gettext(
                        "Choose which cookies you accept. Refusing is as easy as accepting, and you can change your mind at any time."
                    ),
                },
                "purposes": {
                    key: {
                        "title": pick(category["name"], lang)[0],
                        "description": pick(category.get("description"), lang)[0] or "",
                    }
                    for key, category in categories.items()
                    if any(entry[1] == key for entry in services.values())
                },
            }
            for name, (provider, _category, cookies) in services.items():
                texts[name] = {"title": provider["name"], "description": _description(provider, cookies, lang)}
        translations[lang] = texts
    return {
        "version": 1,
        "elementID": "klaro",
        "storageMethod": "cookie",
        "storageName": "klaro",
        "cookieExpiresAfterDays": consent_days(document.get("publisher")),
        "default": False,
        "mustConsent": False,
        "acceptAll": True,
        "htmlTexts": False,
        "groupByPurpose": True,
        "purposeOrder": [key for key in categories if key in translations[LANGUAGES[0]]["purposes"]],
        "translations": translations,
        "services": [
            {
                "name": name,
                "title": provider["name"],
                "purposes": [category],
                "cookies": [_pattern(c) for c in cookies],
                "required": not categories[category]["consent_required"],
                "default": not categories[category]["consent_required"],
            }
            for name, (provider, category, cookies) in services.items()
        ],
    }
