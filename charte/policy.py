"""What a policy page shows, prepared from a version's document (or the draft's, for the
back office's preview) for one language in one pass.

The policy can list tens of thousands of cookies, so labels are translated once per page and
every text of the table is HTML-escaped once per distinct value (``markupsafe.Markup``): a
provider or purpose shared by thousands of rows is escaped once, and the template's
autoescape has nothing left to do. The template still escapes anything that is not Markup.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import gettext
from markupsafe import escape

from models.inventory import PARTY_LABELS, STORAGE_LABELS, display_name
from rules import legal
from rules.consent import consent_months
from rules.language import UNTRANSLATED, force_language, in_language
from rules.typography import french


@dataclass(frozen=True, slots=True)
class Text:
    """A text in the page's language; ``fallback`` when it is the French text standing in
    for a missing English one."""

    text: str
    fallback: bool = False
    lang: str | None = None  # the text's language when it is not the page's (for its element)


@dataclass(frozen=True, slots=True)
class ProviderCell:
    name: str
    privacy_policy_url: str | None
    title: str


@dataclass(slots=True)
class CookieRow:
    """One row of the policy's tables; every text is escaped Markup."""

    name: str
    domain: str
    provider: ProviderCell
    service: Text
    purposes: list
    lifetime: str
    party: str
    storage: str
    exemption: str | None = None  # the CNIL exemption it falls under, when it needs no consent


@dataclass
class CategorySection:
    category: dict  # the document's category: key, name, description, consent_required
    cookies: list = field(default_factory=list)


@dataclass(frozen=True)
class Edition:
    """Which version a page shows, and where it stands among the others."""

    number: int | None  # None: the draft (back-office preview)
    published_at: datetime | None
    digest: str | None = None
    replaced_at: datetime | None = None  # when the next version was published
    replaced_by: int | None = None
    current: bool = True


@dataclass
class Charte:
    lang: str
    publisher: dict | None
    edition: Edition
    sections: list
    providers: list
    # Providers established outside the EEA (the transfers section, shown only when any).
    transfers: list = field(default_factory=list)
    # (purpose text, months its data is kept), for the purposes that say it.
    retentions: list = field(default_factory=list)
    # The CNIL exemptions the policy's cookies fall under (each cookie's is in its row).
    exemptions: list = field(default_factory=list)
    # Where the banner's settings are, in the site owner's words (a Text), or None.
    consent_settings_where: Text | None = None

    @property
    def complaint_url(self):
        return (self.publisher or {}).get("complaint_url") or legal.CNIL_COMPLAINT_URL

    @property
    def last_updated(self):
        return self.edition.published_at

    @property
    def consent_months(self):
        return consent_months(self.publisher)

    @property
    def cookie_count(self):
        return sum(len(section.cookies) for section in self.sections)


class _Escaper(dict):
    """Escapes each distinct text once."""

    def __missing__(self, text):
        html = self[text] = escape(text)
        return html


def pick(texts, lang):
    """(text, is_fallback) of a document's {"fr", "en"} pair in ``lang``; a French text is set
    in French typography (rules/typography.py), as the catalog's strings are."""
    texts = texts or {}
    value, fallback = in_language(lang, texts.get("fr") or "", texts.get("en"))
    if (lang == "fr" or fallback) and not value.startswith(UNTRANSLATED):
        value = french(value)
    return value, fallback


def language_of(value, fallback, lang):
    """The language of a text shown on a ``lang`` page, when it is not ``lang``: the French
    standing in for English, or the imported English still marked [EN] on the French page."""
    if fallback:
        return "fr"
    if lang == "fr" and value.startswith(UNTRANSLATED):
        return "en"
    return None


def _settings_where(publisher, text):
    words = (publisher or {}).get("consent_settings_where") or {}
    return _without_final_period(text(words)) if words.get("fr") else None


def _without_final_period(value):
    """A text our own punctuation follows, without its final period ("… une autre. : 1 mois");
    an ellipsis stays."""
    shown = value.text.rstrip()
    if shown.endswith(".") and not shown.endswith(".."):
        return replace(value, text=shown[:-1])
    return value


def charte_of(document, lang, edition):
    """The page's content in ``lang`` ("fr" or "en") from a policy document."""
    html = _Escaper()

    def text(texts):
        value, fallback = pick(texts, lang)
        return Text(html[value], fallback, language_of(value, fallback, lang))

    providers = {provider["id"]: provider for provider in document.get("providers", ())}
    with force_language(lang):
        cells = {
            provider["id"]: ProviderCell(
                name=html[provider["name"]],
                privacy_policy_url=html[provider["privacy_policy_url"]] if provider.get("privacy_policy_url") else None,
                title=html[gettext("Privacy policy of %(provider)s", provider=provider["name"])]
                if provider.get("privacy_policy_url")
                else "",
            )
            for provider in providers.values()
        }
        party = {key: html[str(label)] for key, label in PARTY_LABELS.items()}
        storage = {key: html[str(label)] for key, label in STORAGE_LABELS.items()}
    purposes = {}
    sections = {category["key"]: CategorySection(category) for category in document.get("categories", ())}
    cookies = sorted(
        document.get("cookies", ()),
        # Within a category, group a provider's cookies together, as the original charte did.
        key=lambda c: (providers[c["provider_id"]]["name"].casefold(), c["name"].casefold(), c["domain"]),
    )
    consent = {c["key"]: c.get("consent_required", True) for c in document.get("categories", ())}
    with force_language(lang):
        exemption_texts = {basis: html[str(legal.LEGAL_BASIS_SHORT[basis])] for basis in legal.EXEMPTIONS}
    used_exemptions = set()
    for cookie in cookies:
        section = sections.get(cookie["category"])
        if section is None:
            continue
        basis = legal.legal_basis(cookie.get("legal_basis"), consent.get(cookie["category"], True))
        if basis != legal.CONSENT:
            used_exemptions.add(basis)
        row_purposes = []
        for texts in cookie["purposes"]:
            pair = (texts["fr"], texts.get("en"))
            if pair not in purposes:
                purposes[pair] = text(texts)
            row_purposes.append(purposes[pair])
        lifetime = cookie["lifetime"]
        section.cookies.append(
            CookieRow(
                name=escape(display_name(cookie["name"], cookie["is_pattern"])),
                domain=html[cookie["domain"] or ""],
                provider=cells[cookie["provider_id"]],
                service=text(cookie["service"]),
                purposes=row_purposes,
                lifetime=html[lifetime.get(lang) or lifetime.get("fr") or ""],
                party=party.get(cookie["party"]) or html[cookie["party"]],
                storage=storage.get(cookie["storage_kind"]) or html[cookie["storage_kind"]],
                exemption=exemption_texts.get(basis),
            )
        )
    return Charte(
        lang=lang,
        publisher=document.get("publisher"),
        edition=edition,
        sections=list(sections.values()),
        providers=sorted(providers.values(), key=lambda p: p["name"].casefold()),
        transfers=sorted(
            (p for p in providers.values() if p.get("country") and p["country"] not in legal.EEA),
            key=lambda p: p["name"].casefold(),
        ),
        retentions=[
            (_without_final_period(text(purpose["description"])), purpose["retention_months"])
            for purpose in document.get("purposes", ())
            if purpose.get("retention_months")
        ],
        exemptions=[basis for basis in legal.EXEMPTIONS if basis in used_exemptions],
        consent_settings_where=_settings_where(document.get("publisher"), text),
    )
