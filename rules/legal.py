"""The legal facts the policy states, as closed lists: a cookie's legal basis (consent, or which
of the CNIL's exemptions applies), a provider's role for the site and, outside the European
Economic Area, the safeguard of the transfer. Sources: CNIL délibération 2020-091 (guidelines,
art. 82 of the loi Informatique et Libertés) and 2020-092 (recommendation), GDPR art. 13 and
44-49."""

from flask_babel import lazy_gettext as _l

CONSENT = "consent"
# The CNIL's list of trackers exempt from consent (guidelines 2020-091, art. 5).
EXEMPTIONS = (
    "strictly_necessary",
    "authentication",
    "security",
    "consent_storage",
    "load_balancing",
    "shopping_basket",
    "personalisation",
    "audience_measurement",
)
LEGAL_BASES = (CONSENT, *EXEMPTIONS)
# "": the category says (consent when it requires consent, else "strictly necessary").
DEFAULT_BASIS = ""
LEGAL_BASIS_LABELS = {
    "": _l("As its category says"),
    CONSENT: _l("Consent"),
    "strictly_necessary": _l("Exempt: strictly necessary to a service the visitor asked for"),
    "authentication": _l("Exempt: authentication"),
    "security": _l("Exempt: security (anti-CSRF, fraud prevention)"),
    "consent_storage": _l("Exempt: storing the visitor's choice about cookies"),
    "load_balancing": _l("Exempt: load balancing"),
    "shopping_basket": _l("Exempt: shopping basket"),
    "personalisation": _l("Exempt: interface personalisation (such as the language)"),
    "audience_measurement": _l("Exempt: audience measurement under the CNIL's conditions"),
}
# What the policy says of a cookie's basis, in its row of the tables.
LEGAL_BASIS_SHORT = {
    CONSENT: _l("Your consent"),
    "strictly_necessary": _l("Exempt from consent: strictly necessary to the service you asked for"),
    "authentication": _l("Exempt from consent: authentication"),
    "security": _l("Exempt from consent: security"),
    "consent_storage": _l("Exempt from consent: keeping your choice about cookies"),
    "load_balancing": _l("Exempt from consent: load balancing"),
    "shopping_basket": _l("Exempt from consent: shopping basket"),
    "personalisation": _l("Exempt from consent: interface personalisation"),
    "audience_measurement": _l("Exempt from consent: audience measurement under the CNIL's conditions"),
}


def legal_basis(cookie_basis, consent_required):
    """A cookie's basis: its own when set, else its category's default."""
    if cookie_basis:
        return cookie_basis
    return CONSENT if consent_required else "strictly_necessary"


# A provider's role for this site (GDPR art. 4 and 26, 28).
PROVIDER_ROLES = ("site", "processor", "controller", "joint_controller")
PROVIDER_ROLE_LABELS = {
    "": _l("Not stated"),
    "site": _l("The site itself"),
    "processor": _l("Processor acting for the site"),
    "controller": _l("Independent controller"),
    "joint_controller": _l("Joint controller with the site"),
}

# Transfers outside the EEA (GDPR chapter V).
SAFEGUARDS = ("adequacy", "dpf", "scc", "bcr", "none_known")
SAFEGUARD_LABELS = {
    "": _l("Not stated"),
    "adequacy": _l("Adequacy decision of the European Commission"),
    "dpf": _l("EU-US Data Privacy Framework"),
    "scc": _l("Standard contractual clauses"),
    "bcr": _l("Binding corporate rules"),
    "none_known": _l("None known"),
}
# The European Economic Area: the 27 member states of the EU, Iceland, Liechtenstein, Norway.
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)

# The CNIL's complaint page (not its home page).
CNIL_COMPLAINT_URL = "https://www.cnil.fr/fr/adresser-une-plainte"
# Exempt audience measurement: trackers live 13 months at most, the data is kept 25 months at
# most (CNIL, "Cookies et traceurs : les solutions pour les outils de mesure d'audience").
AUDIENCE_DATA_MONTHS = 25
