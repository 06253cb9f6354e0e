"""What must hold before a version goes out, checked on the document that would be published.

Each rule is a function of (document, options) yielding Findings; ``RULES`` is the extension
point (the compliance rules join it). An error blocks publication unless its record is waived
(``options.french_only`` for a missing English text); a warning informs.
"""

from dataclasses import replace

from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models.scan import DONE, Scan
from rules.language import UNTRANSLATED

from . import compliance
from .findings import ERROR, WARNING, Finding, Options

__all__ = ["ERROR", "WARNING", "Finding", "Options", "RULES", "blocking", "run_checks", "last_scan_findings"]


def _bilingual_texts(document):
    """(section, key, label, {fr, en}) of every text a visitor reads in both languages."""
    for category in document.get("categories", ()):
        yield "categories", category["key"], category["name"]["fr"], category["name"]
        yield "categories", category["key"], category["name"]["fr"], category["description"]
    for purpose in document.get("purposes", ()):
        yield "purposes", purpose["id"], purpose["description"]["fr"], purpose["description"]
    for cookie in document.get("cookies", ()):
        yield "cookies", cookie["id"], cookie["name"], cookie["service"]
    words = (document.get("publisher") or {}).get("consent_settings_where") or {}
    if words.get("fr"):
        yield "publisher", None, words["fr"], words


def english_everywhere(document, options):
    reported = set()
    for section, key, label, text in _bilingual_texts(document):
        if (section, key) in reported:
            continue
        if (text["fr"] or "").startswith(UNTRANSLATED):
            reported.add((section, key))
            yield Finding(
                "untranslated-french",
                ERROR,
                _l(
                    "“%(name)s”: the French text is still the imported English (marked [EN]). Translate it.",
                    name=label[:80],
                ),
                section,
                key,
            )
        elif not text["en"] and (section, key) not in options.french_only:
            reported.add((section, key))
            yield Finding(
                "missing-english",
                ERROR,
                _l("“%(name)s” has no English text: translate it, or publish it in French only.", name=label[:80]),
                section,
                key,
                waivable=True,
            )


def publisher_known(document, options):
    publisher = document.get("publisher")
    if not publisher or not publisher.get("controller_name"):
        yield Finding(
            "publisher",
            ERROR,
            _l("The policy must name who publishes it: fill in the site settings (data controller)."),
            "publisher",
        )
    elif not publisher.get("contact_email") and not publisher.get("contact_url"):
        yield Finding(
            "contact",
            ERROR,
            _l("The policy must say how to reach the publisher: give a contact e-mail or page in the site settings."),
            "publisher",
        )


def cookies_complete(document, options):
    categories = {category["key"] for category in document.get("categories", ())}
    for cookie in document.get("cookies", ()):
        missing = []
        if not cookie.get("provider"):
            missing.append(_l("a provider"))
        if cookie.get("category") not in categories:
            missing.append(_l("a category"))
        if not cookie.get("purposes"):
            missing.append(_l("a purpose"))
        if not (cookie.get("lifetime") or {}).get("unit"):
            missing.append(_l("a lifetime"))
        if missing:
            yield Finding(
                "cookie-incomplete",
                ERROR,
                _l("The cookie “%(name)s” lacks %(what)s.", name=cookie["name"], what=", ".join(map(str, missing))),
                "cookies",
                cookie["id"],
            )


RULES = [publisher_known, cookies_complete, english_everywhere, *compliance.RULES]


def last_scan_findings(session):
    """A warning per consent violation the latest finished scan of the site saw (scanner/):
    the policy can be published, but the site must stop setting these before consent."""
    scan = session.scalars(select(Scan).where(Scan.status == DONE).order_by(Scan.id.desc()).limit(1)).first()
    for item in (scan.result or {}).get("items", []) if scan else []:
        if item.get("violation"):
            yield Finding(
                "scan-consent-violation",
                WARNING,
                _l(
                    "The scan of %(date)s saw “%(name)s” (%(domain)s) set before any choice or after “refuse all”, "
                    "though it needs consent: the site must stop setting it until the visitor accepts.",
                    date=LazyString(format_date, scan.created_at, "long"),  # in the reader's language
                    name=item["name"][:80],
                    domain=item["domain"][:80],
                ),
                "scans",
                scan.id,
                source=compliance.CNIL_GUIDELINES,
            )


def run_checks(document, options=None):
    """Every finding of every rule, errors first."""
    options = options or Options()
    findings = [finding for rule in RULES for finding in rule(document, options)]
    findings = [
        replace(finding, waived=options.waived[finding.waiver_key])
        if finding.severity == ERROR and finding.waiver_key in options.waived
        else finding
        for finding in findings
    ]
    return sorted(findings, key=lambda finding: finding.severity != ERROR)


def blocking(findings):
    """The errors that stop a publication: those no administrator waived."""
    return [finding for finding in findings if finding.severity == ERROR and not finding.waived]
