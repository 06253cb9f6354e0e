"""The CNIL's and the GDPR's requirements, checked on the document that would be published.

Each rule has an id (its ``Finding.rule``), a severity, its legal source and, per record, a
message that names the record and says how to fix it. Errors stop a publication unless an
administrator waives them for that record with a written reason (kept with the version);
warnings inform. Pure functions of the document: the Compliance page, the record forms, the
lists' badges and the publication all read the same findings.
"""

from flask_babel import lazy_gettext as _l

from rules import legal
from rules import lifetime as lifetimes
from rules.consent import CONSENT_MONTHS

from .findings import ERROR, WARNING, Finding

CNIL_GUIDELINES = _l("CNIL, délibération 2020-091 (guidelines on cookies and other trackers)")
CNIL_RECOMMENDATION = _l("CNIL, délibération 2020-092 (recommendation on cookies and other trackers)")
CNIL_AUDIENCE = _l("CNIL, conditions for consent-exempt audience measurement")
GDPR_13 = _l("GDPR, art. 13 (information to give)")
GDPR_TRANSFERS = _l("GDPR, art. 44 to 49 (transfers outside the EEA)")

_THIRTEEN_MONTHS = lifetimes.THIRTEEN_MONTHS
_ROLES_ACTING_FOR_THE_SITE = ("site", "processor")


class _Index:
    def __init__(self, document):
        self.categories = {c["key"]: c for c in document.get("categories", ())}
        self.providers = {p["id"]: p for p in document.get("providers", ())}
        self.purposes = {p["id"]: p for p in document.get("purposes", ())}
        self.publisher = document.get("publisher") or {}

    def consent_required(self, cookie):
        category = self.categories.get(cookie.get("category")) or {}
        return bool(category.get("consent_required", True))

    def basis(self, cookie):
        return legal.legal_basis(cookie.get("legal_basis"), self.consent_required(cookie))


def _minutes(cookie):
    lifetime = cookie.get("lifetime") or {}
    return lifetimes.to_minutes(lifetime.get("unit") or lifetimes.SESSION, lifetime.get("amount"))


def _finding(rule, severity, source, message, section, key):
    return Finding(rule, severity, message, section, key, source=source)


def audience_measurement_conditions(document, options):
    """Exempt audience measurement meets every condition the CNIL sets."""
    index = _Index(document)
    for cookie in document.get("cookies", ()):
        if index.basis(cookie) != "audience_measurement":
            continue
        failed = []
        if cookie.get("party") != "first":
            failed.append(_l("it must be set by the site itself (first party)"))
        minutes = _minutes(cookie)
        if minutes is not None and minutes > _THIRTEEN_MONTHS:
            failed.append(_l("it must live 13 months at most"))
        if cookie.get("lifetime_extended"):
            failed.append(_l("its lifetime must not be extended on each visit"))
        retentions = [index.purposes.get(i, {}).get("retention_months") for i in cookie.get("purpose_ids", ())]
        if not retentions or any(months is None or months > legal.AUDIENCE_DATA_MONTHS for months in retentions):
            failed.append(_l("the data it collects must be kept 25 months at most (set each purpose's retention)"))
        provider = index.providers.get(cookie.get("provider_id")) or {}
        if provider.get("role") not in _ROLES_ACTING_FOR_THE_SITE:
            failed.append(_l("its provider must act for the site only (role: the site itself or a processor)"))
        if failed:
            yield _finding(
                "audience-exemption",
                ERROR,
                CNIL_AUDIENCE,
                _l(
                    "“%(name)s” is exempt as audience measurement, but %(what)s. Fix it, or make it need consent.",
                    name=cookie["name"],
                    what="; ".join(map(str, failed)),
                ),
                "cookies",
                cookie["id"],
            )


def consent_lifetime(document, options):
    """A tracker that needs consent lives 13 months at most."""
    index = _Index(document)
    for cookie in document.get("cookies", ()):
        minutes = _minutes(cookie)
        if index.basis(cookie) == legal.CONSENT and minutes is not None and minutes > _THIRTEEN_MONTHS:
            yield _finding(
                "consent-lifetime",
                WARNING,
                CNIL_RECOMMENDATION,
                _l(
                    "“%(name)s” needs consent and lives %(lifetime)s: the CNIL recommends 13 months at most. "
                    "Shorten it on the site, then here.",
                    name=cookie["name"],
                    lifetime=(cookie.get("lifetime") or {}).get("en") or "?",
                ),
                "cookies",
                cookie["id"],
            )


def consent_choice_duration(document, options):
    """The cookie that keeps the visitor's choice lives as long as the policy says the choice
    is kept; the choice is kept 6 months, as the CNIL recommends."""
    index = _Index(document)
    months = index.publisher.get("consent_months") or CONSENT_MONTHS
    if index.publisher and months > CONSENT_MONTHS:
        yield _finding(
            "consent-duration",
            WARNING,
            CNIL_RECOMMENDATION,
            _l(
                "The visitor's choice is kept %(months)d months: the CNIL recommends asking again after 6 months.",
                months=months,
            ),
            "publisher",
            None,
        )
    stated = lifetimes.to_minutes("months", months)
    for cookie in document.get("cookies", ()):
        minutes = _minutes(cookie)
        if index.basis(cookie) == "consent_storage" and minutes is not None and abs(minutes - stated) > 1440:
            yield _finding(
                "consent-cookie-lifetime",
                WARNING,
                CNIL_RECOMMENDATION,
                _l(
                    "“%(name)s” keeps the visitor's choice for %(lifetime)s, but the policy says the choice is kept "
                    "%(months)d months: make them agree (the cookie's lifetime or the site settings).",
                    name=cookie["name"],
                    lifetime=(cookie.get("lifetime") or {}).get("en") or "?",
                    months=months,
                ),
                "cookies",
                cookie["id"],
            )


def _third_party_providers(document):
    third = {c.get("provider_id") for c in document.get("cookies", ()) if c.get("party") == "third"}
    for provider in document.get("providers", ()):
        if provider["id"] in third or provider.get("role") in ("controller", "joint_controller"):
            yield provider


def provider_privacy_link(document, options):
    """A third party's privacy policy is one link away."""
    for provider in _third_party_providers(document):
        if not provider.get("privacy_policy_url"):
            yield _finding(
                "provider-privacy-link",
                ERROR,
                GDPR_13,
                _l(
                    "The third party “%(name)s” has no privacy policy address: add it to the provider.",
                    name=provider["name"],
                ),
                "providers",
                provider["id"],
            )


def provider_country(document, options):
    """A third party says where it is established: without it, a transfer cannot be checked."""
    for provider in _third_party_providers(document):
        if not provider.get("country"):
            yield _finding(
                "provider-country",
                WARNING,
                GDPR_TRANSFERS,
                _l(
                    "The third party “%(name)s” has no country: give where it is established, so that a transfer "
                    "outside the EEA can be checked.",
                    name=provider["name"],
                ),
                "providers",
                provider["id"],
            )


def transfer_safeguard(document, options):
    """A provider outside the EEA says what frames the transfer."""
    for provider in document.get("providers", ()):
        country = provider.get("country")
        if country and country not in legal.EEA and provider.get("transfer_safeguard") in ("", None, "none_known"):
            yield _finding(
                "transfer-safeguard",
                ERROR,
                GDPR_TRANSFERS,
                _l(
                    "“%(name)s” is established outside the European Economic Area (%(country)s) with no known "
                    "safeguard: state the adequacy decision, the Data Privacy Framework, the standard contractual "
                    "clauses or the binding corporate rules that frame the transfer.",
                    name=provider["name"],
                    country=country,
                ),
                "providers",
                provider["id"],
            )


def exemption_applies(document, options):
    """An exemption can only apply where the CNIL allows it, and agrees with the category."""
    index = _Index(document)
    for cookie in document.get("cookies", ()):
        basis, own = index.basis(cookie), cookie.get("legal_basis")
        consent_category = index.consent_required(cookie)
        third_party_exempt = (
            basis in legal.EXEMPTIONS and basis != "audience_measurement" and cookie.get("party") == "third"
        )
        if third_party_exempt and consent_category:
            yield _finding(
                "exemption-cannot-apply",
                ERROR,
                CNIL_GUIDELINES,
                _l(
                    "“%(name)s” is a third party's cookie in a category that requires consent: the exemption "
                    "“%(basis)s” cannot apply. Make it need consent.",
                    name=cookie["name"],
                    basis=legal.LEGAL_BASIS_LABELS[basis],
                ),
                "cookies",
                cookie["id"],
            )
            continue
        # Exempt audience measurement sits in a statistics category by nature: its own rule
        # checks the CNIL's conditions instead.
        if own and own not in (legal.CONSENT, "audience_measurement") and consent_category:
            yield _finding(
                "basis-against-category",
                WARNING,
                CNIL_GUIDELINES,
                _l(
                    "“%(name)s” is exempt from consent but its category requires consent: move it to a category "
                    "exempt from consent, or make it need consent.",
                    name=cookie["name"],
                ),
                "cookies",
                cookie["id"],
            )
        elif own == legal.CONSENT and not consent_category:
            yield _finding(
                "basis-against-category",
                WARNING,
                CNIL_GUIDELINES,
                _l(
                    "“%(name)s” needs consent but its category says its cookies need none: move it to a category "
                    "that requires consent.",
                    name=cookie["name"],
                ),
                "cookies",
                cookie["id"],
            )


def controller_identity(document, options):
    """Where the controller is (its name and contact are ``checks.publisher_known``'s)."""
    publisher = document.get("publisher")
    if not publisher:
        return
    if not publisher.get("controller_address"):
        yield _finding(
            "controller-address",
            ERROR,
            GDPR_13,
            _l("The policy must give the data controller's postal address: fill it in the site settings."),
            "publisher",
            None,
        )


def retention_stated(document, options):
    """How long the data collected for each purpose is kept."""
    for purpose in document.get("purposes", ()):
        if purpose.get("retention_months") is None:
            yield _finding(
                "purpose-retention",
                WARNING,
                GDPR_13,
                _l(
                    "The purpose “%(name)s” does not say how long its data is kept: set its retention (months).",
                    name=((purpose.get("description") or {}).get("fr") or "")[:80],
                ),
                "purposes",
                purpose["id"],
            )


def storage_has_no_session(document, options):
    """localStorage and IndexedDB have no expiry: "session" would understate their life."""
    for cookie in document.get("cookies", ()):
        lifetime = cookie.get("lifetime") or {}
        if cookie.get("storage_kind") in ("local_storage", "indexed_db") and lifetime.get("unit") == lifetimes.SESSION:
            yield _finding(
                "storage-session-lifetime",
                ERROR,
                GDPR_13,
                _l(
                    "“%(name)s” is kept in local storage or IndexedDB, which have no expiry: give how long the site "
                    "keeps it instead of “session”.",
                    name=cookie["name"],
                ),
                "cookies",
                cookie["id"],
            )


RULES = [
    controller_identity,
    audience_measurement_conditions,
    exemption_applies,
    consent_lifetime,
    consent_choice_duration,
    provider_privacy_link,
    provider_country,
    transfer_safeguard,
    retention_stated,
    storage_has_no_session,
]
# Each rule's id, severity and source, for the Compliance page's filter and the README.
RULE_IDS = (
    "controller-address",
    "audience-exemption",
    "exemption-cannot-apply",
    "basis-against-category",
    "consent-lifetime",
    "consent-duration",
    "consent-cookie-lifetime",
    "provider-privacy-link",
    "provider-country",
    "transfer-safeguard",
    "purpose-retention",
    "storage-session-lifetime",
)
