"""A configuration for tarteaucitron.js (AmauriC/tarteaucitron.js 1.34), from a published
version, as far as its own format can carry it (read in its code, tarteaucitron.js 1.34.0):

- services (``tarteaucitron.services[key]``, then ``tarteaucitron.job``): one per provider and
  category that needs consent (embed/services.py), with the provider's privacy policy as its
  official link, our policy as its "read more" link, and the names of its cookies. Its
  categories are nine fixed types (ads, analytic, …): each of our categories takes one, whose
  title and details become ours (``tarteaucitronCustomText``);
- the cookies that need no consent are not services (tarteaucitron would offer to refuse
  them): its "mandatory cookies" line names them;
- how long the choice is kept (``tarteaucitronForceExpire``, in days; tarteaucitron ignores
  365 or more, so a longer setting becomes 364 days: visitors are asked a day early, never late);
- the policy's address (``privacyUrl``) and every text in French and English.

What it cannot carry: name patterns (it deletes a refused service's cookies by exact name, and
builds a regular expression from each name unescaped), cookie paths and domains (it deletes at
"/" on the page's host). A pattern or a name that would break its regular expression is named
in the service's description only. Its texts are HTML (concatenated into ``innerHTML``): every
text here is escaped. The loader (static/embed/tarteaucitron.js) turns this JSON into its calls.
"""

import re

from flask_babel import force_locale, gettext
from markupsafe import escape

from charte.policy import pick
from models.inventory import display_name
from rules.consent import consent_days
from rules.language import LANGUAGES

from .services import services as service_list

# tarteaucitron's categories, in the order ours take them.
TYPES = ("analytic", "ads", "social", "video", "support", "comment", "api", "other", "google")
MAX_EXPIRE_DAYS = 364  # tarteaucitron ignores a forced duration of 365 days or more

# What tarteaucitron's purge can match and delete: it builds "^(.*;)?\s*" + name + "\s*=…".
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _html(text):
    return str(escape(text))


def _types(document, consented):
    """{our category key: tarteaucitron type}: ours in policy order; beyond nine, they share the
    last."""
    keys = [c["key"] for c in document.get("categories", ()) if c["key"] in consented]
    return {key: TYPES[min(i, len(TYPES) - 1)] for i, key in enumerate(keys)}


def _purge_names(cookies):
    return [
        c["name"]
        for c in cookies
        if c["storage_kind"] == "http_cookie" and not c["is_pattern"] and _SAFE_NAME.match(c["name"])
    ]


def _cookie_line(cookie, purposes, lang):
    texts = "; ".join(pick(purposes[i], lang)[0] for i in cookie["purpose_ids"] if i in purposes)
    name = display_name(cookie["name"], cookie["is_pattern"])
    return gettext(
        "%(name)s (%(lifetime)s): %(purposes)s", name=name, lifetime=cookie["lifetime"][lang], purposes=texts
    )


def _texts(document, services, types, exempt, lang, policy_url):
    """``tarteaucitronCustomText`` for ``lang``: every value escaped HTML."""
    categories = {c["key"]: c for c in document.get("categories", ())}
    purposes = {p["id"]: p["description"] for p in document.get("purposes", ())}
    with force_locale(lang):
        texts = {
            "alertBigPrivacy": _html(
                gettext(
                    "Some cookies are needed for the site to work. With your consent, we also use others, listed in our cookie policy. You can accept them, refuse them, or choose."
                )
            ),
            "disclaimer": _html(
                gettext(
                    "Choose which cookies you accept. Refusing is as easy as accepting, and you can change your mind at any time."
                )
            ),
        }
        by_type = {}
        for key, kind in types.items():
            by_type.setdefault(kind, []).append(categories[key])
        for kind, shared in by_type.items():
            texts[kind] = {
                "title": _html(" / ".join(pick(c["name"], lang)[0] for c in shared)),
                "details": _html(" ".join(pick(c.get("description"), lang)[0] or "" for c in shared).strip()),
            }
        for name, (_provider, category, cookies) in services.items():
            if category in types:
                texts["desc-" + name] = "<br>".join(_html(_cookie_line(c, purposes, lang)) for c in cookies)
        if exempt:
            texts["mandatoryTitle"] = _html(" / ".join(pick(categories[k]["name"], lang)[0] for k in exempt))
            lines = [
                _html(
                    gettext("%(provider)s: %(line)s", provider=provider["name"], line=_cookie_line(c, purposes, lang))
                )
                for provider, category, cookies in services.values()
                if category in exempt
                for c in cookies
            ]
            texts["mandatoryText"] = "<br>".join(
                [_html(gettext("These cookies are needed for the site to work and need no consent:")), *lines]
            )
        texts["privacyUrl"] = _html(gettext("Read the cookie policy"))
        return {"privacyUrl": policy_url, "texts": texts}


def configuration(document, policy_urls):
    """What static/embed/tarteaucitron.js needs: ``init`` (tarteaucitron.init's parameters but
    the policy address), ``expireDays``, ``services`` and ``languages`` ({lang: {privacyUrl,
    texts}})."""
    categories = {c["key"]: c for c in document.get("categories", ())}
    services = service_list(document)
    listed = {category for _provider, category, _cookies in services.values()}
    exempt = [key for key, category in categories.items() if key in listed and not category["consent_required"]]
    types = _types(document, listed - set(exempt))
    return {
        "init": {
            "hashtag": "#tarteaucitron",
            "cookieName": "tarteaucitron",
            "orientation": "middle",
            "highPrivacy": True,
            "AcceptAllCta": True,
            "DenyAllCta": True,
            "showAlertSmall": False,
            "showIcon": True,
            "iconPosition": "BottomRight",
            "moreInfoLink": True,
            "mandatory": bool(exempt),
            "mandatoryCta": True,
            "removeCredit": False,
            "useExternalCss": False,
            "useExternalJs": False,
            "serviceDefaultState": "wait",
        },
        "expireDays": min(consent_days(document.get("publisher")), MAX_EXPIRE_DAYS),
        "services": [
            {
                "key": name,
                "type": types[category],
                "name": _html(provider["name"]),
                "uri": _html(provider.get("privacy_policy_url") or policy_urls[LANGUAGES[0]]),
                "readmoreLink": {lang: _html(policy_urls[lang]) for lang in LANGUAGES},
                "needConsent": True,
                "cookies": _purge_names(cookies),
            }
            for name, (provider, category, cookies) in services.items()
            if category in types
        ],
        "languages": {lang: _texts(document, services, types, exempt, lang, policy_urls[lang]) for lang in LANGUAGES},
    }
