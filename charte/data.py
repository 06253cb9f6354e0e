"""What the policy shows, loaded in a fixed number of queries whatever the inventory size."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from models import Category, Cookie, InventoryState, SiteSettings, db


@dataclass
class CategorySection:
    category: Category
    cookies: list = field(default_factory=list)


@dataclass
class Charte:
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


def load_charte():
    session = db.session
    settings = session.scalars(select(SiteSettings).order_by(SiteSettings.id).limit(1)).first()
    state = session.get(InventoryState, 1)
    categories = session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    cookies = session.scalars(
        select(Cookie)
        .where(Cookie.shown_on_policy.is_(True))
        .options(joinedload(Cookie.provider), selectinload(Cookie.purposes))
        .order_by(Cookie.name, Cookie.domain)
    ).all()

    sections = {category.id: CategorySection(category) for category in categories}
    providers = {}
    for cookie in cookies:
        sections[cookie.category_id].cookies.append(cookie)
        providers[cookie.provider.id] = cookie.provider
    # Within a category, group a provider's cookies together, as the original charte did.
    for section in sections.values():
        section.cookies.sort(key=lambda c: (c.provider.name.casefold(), c.name.casefold(), c.domain))
    return Charte(
        settings=settings,
        state=state,
        sections=list(sections.values()),
        providers=sorted(providers.values(), key=lambda p: p.name.casefold()),
    )
