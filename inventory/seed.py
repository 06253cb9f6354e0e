"""Sample content for a new install: the categories every site needs, and the inventory of the
French policy that started the project (``shared/seed/charte-cookies.txt``). ``load_seed`` is
idempotent: it adds what is missing and never overwrites what an editor has changed.
"""

from sqlalchemy import select

from models import Category, Cookie, InventoryState, Provider, Purpose, SiteSettings, db
from models.timestamps import utcnow
from rules.typography import french

CATEGORIES = [
    {
        "key": "necessary",
        "position": 10,
        "consent_required": False,
        "name_fr": "Cookies nécessaires au fonctionnement",
        "name_en": "Strictly necessary cookies",
        "description_fr": (
            "Ils permettent au site de fonctionner : vous garder connecté d'une page à l'autre, "
            "retenir votre langue, sécuriser les formulaires, mémoriser vos choix sur les cookies. "
            "Ils ne servent à rien d'autre et ne requièrent pas votre consentement."
        ),
        "description_en": (
            "They make the site work: keeping you signed in from one page to the next, remembering "
            "your language, securing forms, storing your cookie choices. They serve no other purpose "
            "and do not require your consent."
        ),
    },
    {
        "key": "preferences",
        "position": 20,
        "consent_required": True,
        "name_fr": "Cookies de préférences",
        "name_en": "Preference cookies",
        "description_fr": (
            "Ils retiennent des réglages facultatifs qui personnalisent votre expérience, "
            "comme l'affichage ou la région choisie."
        ),
        "description_en": (
            "They remember optional settings that personalise your experience, such as a display "
            "option or a chosen region."
        ),
    },
    {
        "key": "statistics",
        "position": 30,
        "consent_required": True,
        "name_fr": "Cookies statistiques",
        "name_en": "Statistics cookies",
        "description_fr": (
            "Ils mesurent l'audience du site et la façon dont il est utilisé, pour l'améliorer. "
            "Une mesure d'audience strictement anonyme et limitée au site peut être dispensée de "
            "consentement ; ses cookies ne vivent alors pas plus de 13 mois."
        ),
        "description_en": (
            "They measure the site's audience and how it is used, so that it can be improved. "
            "Strictly anonymous audience measurement limited to this site can be exempt from consent; "
            "its cookies then live no longer than 13 months."
        ),
    },
    {
        "key": "marketing",
        "position": 40,
        "consent_required": True,
        "name_fr": "Cookies publicitaires",
        "name_en": "Marketing cookies",
        "description_fr": (
            "Ils suivent votre navigation, souvent d'un site à l'autre, pour vous montrer des "
            "publicités adaptées ou mesurer leur efficacité."
        ),
        "description_en": (
            "They follow your browsing, often from one site to another, to show you relevant "
            "advertising or measure how well it works."
        ),
    },
]

PROVIDERS = [
    # The platform that runs the site, acting for it (a processor).
    {"name": "Opendatasoft", "website": "https://www.opendatasoft.com", "country": "FR", "role": "processor"},
]

# (name, service FR, service EN, purpose FR, purpose EN, lifetime unit, amount, legal basis,
# months the purpose's data is kept). The CNIL's exemptions: rules/legal.py.
COOKIES = [
    (
        "sessionid",
        "Authentification (front et back office)",
        "Authentication (front and back office)",
        "Se souvenir de l'utilisateur d'une page à une autre.",
        "Remember the user from one page to the next.",
        "days",
        14,
        "authentication",
        1,
    ),
    (
        "django_language",
        "Sélection de la langue (front et back office)",
        "Language selection (front and back office)",
        "Se souvenir de la langue du visiteur",
        "Remember the visitor's language",
        "years",
        1,
        "personalisation",
        12,
    ),
    (
        "csrftoken",
        "API (CSRF) (front et back office)",
        "API (CSRF) (front and back office)",
        # The original policy said "Récupérer des données via des appels API": a CSRF token
        # protects the forms and API calls, which is what makes it exempt (security).
        "Protéger les formulaires et les appels API contre la falsification de requêtes (jeton anti-CSRF)",
        "Protect forms and API calls against cross-site request forgery (anti-CSRF token)",
        "years",
        1,
        "security",
        12,
    ),
    (
        "cookies_preferences",
        "Choix concernant vos préférences sur les cookies",
        "Your cookie preference choices",
        "Se souvenir du choix opéré par le visiteur concernant les cookies",
        "Remember the visitor's choice about cookies",
        "months",
        6,
        "consent_storage",
        6,
    ),
]

# Typed with plain apostrophes and spaces, as in the original policy; what a new install shows
# follows French typography (’, no-break spaces before : ; ! ?), as an editor's text should.
for _category in CATEGORIES:
    _category["name_fr"], _category["description_fr"] = (
        french(_category["name_fr"]),
        french(_category["description_fr"]),
    )
COOKIES = [
    (name, french(service_fr), service_en, french(purpose_fr), *rest)
    for name, service_fr, service_en, purpose_fr, *rest in COOKIES
]

SETTINGS = {
    "site_name": "Datajoule",
    "site_url": "https://app.datajoule.fr",
    "controller_name": "Datajoule",
    # Sample values, as the e-mail address is: a new install replaces them with its own.
    "controller_address": "1 rue de l’Exemple, 75001 Paris, France",
    "contact_email": "dpo@example.com",
    "dpo_contact": "dpo@example.com",
}

SAMPLE_DOMAIN = "app.datajoule.fr"


def ensure_categories(session=None):
    """The four standard categories, added where missing; returns how many were added."""
    session = session or db.session
    existing = {c.key for c in session.scalars(select(Category))}
    missing = [data for data in CATEGORIES if data["key"] not in existing]
    session.add_all(Category(**data) for data in missing)
    return len(missing)


def ensure_state(session=None):
    session = session or db.session
    if session.get(InventoryState, 1) is None:
        session.add(InventoryState(id=1, revision=0, changed_at=utcnow()))


def load_seed(session=None, sample=True):
    """Add the standard categories and, with ``sample``, the sample inventory. Returns counts added."""
    session = session or db.session
    added = {"categories": 0, "providers": 0, "purposes": 0, "cookies": 0, "settings": 0}
    ensure_state(session)
    added["categories"] = ensure_categories(session)
    if not sample:
        session.commit()
        return added

    if SiteSettings.current(session) is None:
        session.add(SiteSettings(is_sample=True, **SETTINGS))
        added["settings"] = 1

    # The provider and purposes are looked up (or added) only for a sample cookie that is missing:
    # once an editor has renamed them, seeding again must not bring back a stray copy.
    def provider_named(name):
        provider = session.scalars(select(Provider).where(Provider.name == name)).first()
        if provider is None:
            provider = Provider(**next(data for data in PROVIDERS if data["name"] == name))
            session.add(provider)
            added["providers"] += 1
        return provider

    session.flush()
    necessary = session.scalars(select(Category).where(Category.key == "necessary")).one()
    for name, service_fr, service_en, purpose_fr, purpose_en, unit, amount, basis, retention in COOKIES:
        exists = session.scalars(select(Cookie).where(Cookie.name == name, Cookie.domain == SAMPLE_DOMAIN)).first()
        if exists is not None:
            continue
        purpose = session.scalars(select(Purpose).where(Purpose.description_fr == purpose_fr)).first()
        if purpose is None:
            purpose = Purpose(description_fr=purpose_fr, description_en=purpose_en, retention_months=retention)
            session.add(purpose)
            added["purposes"] += 1
        session.add(
            Cookie(
                name=name,
                domain=SAMPLE_DOMAIN,
                provider=provider_named("Opendatasoft"),
                category=necessary,
                service_fr=service_fr,
                service_en=service_en,
                purposes=[purpose],
                lifetime_unit=unit,
                lifetime_amount=amount,
                legal_basis=basis,
                party="first",
                storage_kind="http_cookie",
                is_sample=True,
            )
        )
        added["cookies"] += 1
    session.commit()
    return added
