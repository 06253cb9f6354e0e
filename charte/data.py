"""What the policy shows, loaded in a fixed number of queries whatever the inventory size.

The policy can list tens of thousands of cookies, so its table is prepared here for one
language in one pass: cookies are read as plain rows (not ORM objects), labels are
translated once per page, and every text of the table is HTML-escaped once per distinct
value (``markupsafe.Markup``), so that a provider or purpose shared by thousands of rows is
escaped once and the template's autoescape has nothing left to do. The template still
escapes anything that is not Markup.
"""

from dataclasses import dataclass, field

from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select

from models import Category, Cookie, InventoryState, Provider, Purpose, SiteSettings, cookie_purposes, db
from models.inventory import PARTY_LABELS, STORAGE_LABELS, display_name
from rules import lifetime as lifetimes
from rules.language import in_language


@dataclass(frozen=True, slots=True)
class Text:
    """A text in the page's language; ``fallback`` when it is the French text standing in
    for a missing English one."""

    text: str
    fallback: bool = False


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


@dataclass
class CategorySection:
    category: Category
    cookies: list = field(default_factory=list)


@dataclass
class Charte:
    lang: str
    settings: SiteSettings | None
    state: InventoryState | None
    sections: list
    providers: list

    @property
    def last_updated(self):
        return self.state.changed_at if self.state else None

    @property
    def cookie_count(self):
        return sum(len(section.cookies) for section in self.sections)


class _Escaper(dict):
    """Escapes each distinct text once."""

    def __missing__(self, text):
        html = self[text] = escape(text)
        return html


def _text(french, english, lang, html):
    text, fallback = in_language(lang, french, english)
    return Text(html[text], fallback)


def load_charte(lang):
    """The policy's content in ``lang`` ("fr" or "en"), in seven queries whatever the size."""
    session = db.session
    settings = SiteSettings.current(session)
    state = session.get(InventoryState, 1)
    categories = session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    shown = Cookie.shown_on_policy.is_(True)
    rows = session.execute(
        select(
            Cookie.id,
            Cookie.name,
            Cookie.is_pattern,
            Cookie.domain,
            Cookie.provider_id,
            Cookie.category_id,
            Cookie.service_fr,
            Cookie.service_en,
            Cookie.lifetime_unit,
            Cookie.lifetime_amount,
            Cookie.party,
            Cookie.storage_kind,
        ).where(shown)
    ).all()
    # Every link, in primary-key order: a join on the shown cookies took ten times longer on
    # SQLite, and the few links of hidden cookies are simply not looked up.
    links = session.execute(
        select(cookie_purposes.c.cookie_id, cookie_purposes.c.purpose_id).order_by(
            cookie_purposes.c.cookie_id, cookie_purposes.c.purpose_id
        )
    ).all()
    purpose_texts = session.execute(select(Purpose.id, Purpose.description_fr, Purpose.description_en)).all()
    providers = {
        provider.id: provider
        for provider in session.scalars(
            select(Provider).where(Provider.id.in_(select(Cookie.provider_id).where(shown).distinct()))
        )
    }

    html = _Escaper()
    purposes = {purpose_id: _text(fr, en, lang, html) for purpose_id, fr, en in purpose_texts}
    # Ordered by purpose id, like Cookie.purposes.
    purposes_of = {}
    for cookie_id, purpose_id in links:
        purposes_of.setdefault(cookie_id, []).append(purposes[purpose_id])

    with force_locale(lang):
        cells = {
            provider.id: ProviderCell(
                name=html[provider.name],
                privacy_policy_url=html[provider.privacy_policy_url] if provider.privacy_policy_url else None,
                title=html[gettext("Privacy policy of %(provider)s", provider=provider.name)]
                if provider.privacy_policy_url
                else "",
            )
            for provider in providers.values()
        }
        party = {key: html[str(label)] for key, label in PARTY_LABELS.items()}
        storage = {key: html[str(label)] for key, label in STORAGE_LABELS.items()}
    describe = lifetimes.Descriptions()
    lifetime_of = {
        (unit, amount): html[describe(unit, amount, lang)]
        for unit, amount in {(row.lifetime_unit, row.lifetime_amount) for row in rows}
    }

    # Within a category, group a provider's cookies together, as the original charte did.
    rows.sort(key=lambda r: (providers[r.provider_id].name.casefold(), r.name.casefold(), r.domain))
    sections = {category.id: CategorySection(category) for category in categories}
    for row in rows:
        sections[row.category_id].cookies.append(
            CookieRow(
                name=escape(display_name(row.name, row.is_pattern)),
                domain=html[row.domain],
                provider=cells[row.provider_id],
                service=_text(row.service_fr, row.service_en, lang, html),
                purposes=purposes_of.get(row.id, []),
                lifetime=lifetime_of[row.lifetime_unit, row.lifetime_amount],
                party=party.get(row.party) or html[row.party],
                storage=storage.get(row.storage_kind) or html[row.storage_kind],
            )
        )
    return Charte(
        lang=lang,
        settings=settings,
        state=state,
        sections=list(sections.values()),
        providers=sorted(providers.values(), key=lambda p: p.name.casefold()),
    )
