"""The cookie inventory: providers, categories, purposes, cookies and site settings.

Every text a visitor reads has a French column (required) and an English one
(optional while editing; the English page falls back to French and says so).
Field rules come from ``rules.validation`` and run on every assignment.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
    select,
    true,
    update,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates

from rules import legal
from rules import lifetime as lifetimes
from rules import validation as v
from rules.consent import CONSENT_MONTHS, MAX_CONSENT_MONTHS
from rules.language import UNTRANSLATED, in_page_language, lazy_ngettext
from rules.validation import InventoryError

from .database import db
from .timestamps import utcnow

PARTIES = ("first", "third")
PARTY_LABELS = {"first": _l("First party"), "third": _l("Third party")}

# How visitors reopen the site's consent manager to change their choice (templates/charte/
# cookies.html, static/embed/policy.js): a page of the site, or one of these managers' calls.
CONSENT_MANAGERS = ("none", "cookieconsent", "klaro", "tarteaucitron", "cookiebot", "didomi", "onetrust")
CONSENT_MANAGER_LABELS = {
    "none": _l("None, or not listed here"),
    "cookieconsent": "vanilla-cookieconsent (CookieConsent.showPreferences())",
    "klaro": "Klaro (klaro.show())",
    "tarteaucitron": "tarteaucitron.js (tarteaucitron.userInterface.openPanel())",
    "cookiebot": "Cookiebot (Cookiebot.renew())",
    "didomi": "Didomi (Didomi.preferences.show())",
    "onetrust": "OneTrust (OneTrust.ToggleInfoDisplay())",
}

STORAGE_KINDS = ("http_cookie", "local_storage", "session_storage", "indexed_db", "pixel")
STORAGE_LABELS = {
    "http_cookie": _l("HTTP cookie"),
    "local_storage": _l("Local storage"),
    "session_storage": _l("Session storage"),
    "indexed_db": _l("IndexedDB"),
    "pixel": _l("Pixel"),
}


# Without AUTOINCREMENT SQLite hands the highest id of a deleted row to the next row created,
# and whatever still names the old id (history, a restore) would name another record.
# PostgreSQL's sequences never go back. Migration 0006 rebuilt the existing SQLite tables.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


def bilingual(obj, field):
    """(text, is_fallback) of an object's ``<field>_fr`` and ``<field>_en`` in the page's language."""
    return in_page_language(getattr(obj, f"{field}_fr"), getattr(obj, f"{field}_en"))


class RuledModel:
    """Applies ``__field_rules__`` (field name -> rule) to every assignment."""

    __field_rules__: dict = {}

    @classmethod
    def check_field(cls, name, value):
        rule = cls.__field_rules__.get(name)
        return rule(value) if rule else value


class Versioned:
    """A version number bumped by every update. An UPDATE that finds another version
    than the one it read fails (StaleDataError), and the back office compares it with
    the version the editor opened, so that nobody overwrites a change unseen."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


def _apply_rules(mapper, cls):
    """Attach a set-listener per ruled column, like ``@validates``, for every RuledModel."""
    if not issubclass(cls, RuledModel):
        return
    for name, rule in cls.__field_rules__.items():

        def on_set(target, value, oldvalue, initiator, rule=rule, name=name):
            try:
                return rule(value)
            except InventoryError as error:
                error.field = error.field or name
                raise

        event.listen(getattr(cls, name), "set", on_set, retval=True)


event.listen(db.Model, "mapper_configured", _apply_rules, propagate=True)


class Provider(RuledModel, Versioned, db.Model):
    """Who sets a cookie: the site itself or a third party."""

    __tablename__ = "provider"
    __table_args__ = NEVER_REUSE_IDS
    __field_rules__ = {
        "name": v.text(120, required=True),
        "website": v.url(),
        "privacy_policy_url": v.url(),
        "country": v.country,
        "role": v.optional_choice(legal.PROVIDER_ROLES),
        "transfer_safeguard": v.optional_choice(legal.SAFEGUARDS),
        "transfer_safeguard_url": v.url(),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    website: Mapped[str | None] = mapped_column(String(500))
    privacy_policy_url: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2))
    # Its role for this site, and for a country outside the EEA the transfer's safeguard (rules/legal.py).
    role: Mapped[str] = mapped_column(String(20), default="", server_default="")
    transfer_safeguard: Mapped[str] = mapped_column(String(20), default="", server_default="")
    transfer_safeguard_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    cookies: Mapped[list["Cookie"]] = relationship(back_populates="provider", passive_deletes="all")

    def __str__(self):
        return self.name or ""


class Category(RuledModel, Versioned, db.Model):
    """A kind of cookie (necessary, statistics…) and whether it needs consent."""

    __tablename__ = "category"
    __table_args__ = NEVER_REUSE_IDS
    __field_rules__ = {
        "key": v.key,
        "name_fr": v.text(120, required=True),
        "name_en": v.text(120),
        "description_fr": v.text(4000, required=True, multiline=True),
        "description_en": v.text(4000, multiline=True),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    description_fr: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    consent_required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    cookies: Mapped[list["Cookie"]] = relationship(back_populates="category", passive_deletes="all")

    @property
    def name(self):
        return bilingual(self, "name")[0]

    def __str__(self):
        return self.name or self.key or ""


cookie_purposes = Table(
    "cookie_purpose",
    db.metadata,
    Column("cookie_id", Integer, ForeignKey("cookie.id", ondelete="CASCADE"), primary_key=True),
    Column("purpose_id", Integer, ForeignKey("purpose.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Purpose(RuledModel, Versioned, db.Model):
    """Why a cookie is used ("finalité"); one purpose can serve many cookies."""

    __tablename__ = "purpose"
    __table_args__ = NEVER_REUSE_IDS
    __field_rules__ = {
        "description_fr": v.text(500, required=True, multiline=True),
        "description_en": v.text(500, multiline=True),
        "retention_months": v.optional_whole_number(1, 240),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    description_fr: Mapped[str] = mapped_column(String(500), unique=True)
    description_en: Mapped[str | None] = mapped_column(String(500))
    # How long the data collected for this purpose is kept, in months (not the cookies' lifetimes).
    retention_months: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    cookies: Mapped[list["Cookie"]] = relationship(secondary=cookie_purposes, back_populates="purposes", viewonly=True)

    @property
    def description(self):
        return bilingual(self, "description")[0]

    def __str__(self):
        return self.description or ""


class Cookie(RuledModel, Versioned, db.Model):
    """One cookie or storage key set on the site (or a name pattern such as ``_ga_*``)."""

    __tablename__ = "cookie"
    __table_args__ = (
        UniqueConstraint("name", "domain"),
        CheckConstraint(_in("party", PARTIES), name="party"),
        CheckConstraint(_in("storage_kind", STORAGE_KINDS), name="storage_kind"),
        CheckConstraint(_in("lifetime_unit", lifetimes.UNITS), name="lifetime_unit"),
        CheckConstraint(
            "(lifetime_unit = 'session' AND lifetime_amount IS NULL)"
            " OR (lifetime_unit <> 'session' AND lifetime_amount >= 1)",
            name="lifetime_amount",
        ),
        NEVER_REUSE_IDS,
    )
    __field_rules__ = {
        "name": v.text(255, required=True),
        "domain": v.domain,
        "path": v.cookie_path,
        "service_fr": v.text(255, required=True),
        "service_en": v.text(255),
        "notes": v.text(4000, multiline=True),
        "party": v.one_of(PARTIES),
        "storage_kind": v.one_of(STORAGE_KINDS),
        "lifetime_unit": v.one_of(lifetimes.UNITS),
        "legal_basis": v.optional_choice(legal.LEGAL_BASES),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    is_pattern: Mapped[bool] = mapped_column(Boolean, default=False)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="RESTRICT"), index=True)
    service_fr: Mapped[str] = mapped_column(String(255))
    service_en: Mapped[str | None] = mapped_column(String(255))
    lifetime_unit: Mapped[str] = mapped_column(String(10), default=lifetimes.SESSION)
    lifetime_amount: Mapped[int | None] = mapped_column(Integer)
    # Derived from unit and amount, kept for sorting and the "over 13 months" filter.
    lifetime_minutes: Mapped[int | None] = mapped_column(Integer, index=True)
    domain: Mapped[str] = mapped_column(String(253), default="", index=True)
    # Where on the site the cookie is set (its Path attribute): a consent manager deletes it there.
    path: Mapped[str] = mapped_column(String(255), default="/", server_default="/")
    # Indexed like every column the back office sorts or filters the cookie list by.
    party: Mapped[str] = mapped_column(String(10), default="first", index=True)
    storage_kind: Mapped[str] = mapped_column(String(20), default="http_cookie", index=True)
    # Consent, or the exemption that applies; "" = its category's default (rules/legal.py).
    legal_basis: Mapped[str] = mapped_column(String(30), default="", server_default="")
    # Whether each visit sets the cookie again with a new expiry (the CNIL's exempt audience
    # measurement must not).
    lifetime_extended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    shown_on_policy: Mapped[bool] = mapped_column(Boolean, default=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, index=True)

    provider: Mapped[Provider] = relationship(back_populates="cookies")
    category: Mapped[Category] = relationship(back_populates="cookies")
    purposes: Mapped[list[Purpose]] = relationship(
        secondary=cookie_purposes, back_populates="cookies", order_by=Purpose.id
    )

    @validates("lifetime_amount")
    def _check_amount(self, key, amount):
        if amount in ("", None):
            return None
        try:
            return int(amount)
        except (TypeError, ValueError):
            raise InventoryError(_l("The lifetime must be a whole number."), field=key) from None

    @property
    def display_name(self):
        return display_name(self.name, self.is_pattern)

    def prepare_for_save(self, updating):
        """The cookie's invariants, checked before every flush that saves it: a valid
        lifetime (and its length in minutes, for sorting), a pattern flag for a name with
        "*", a provider, a category and at least one purpose."""
        unit, amount = lifetimes.check(self.lifetime_unit or lifetimes.SESSION, self.lifetime_amount)
        self.lifetime_unit, self.lifetime_amount = unit, amount
        self.lifetime_minutes = lifetimes.to_minutes(unit, amount)
        if self.name and "*" in self.name:
            self.is_pattern = True
        if not self.purposes:
            raise InventoryError(_l("A cookie needs at least one purpose."), field="purposes")
        if self.provider is None and self.provider_id is None:
            raise InventoryError(_l("Choose who sets this cookie (provider)."), field="provider")
        if self.category is None and self.category_id is None:
            raise InventoryError(_l("Choose the cookie's category."), field="category")
        if updating:
            # A change of purposes alone does not fire onupdate.
            self.updated_at = utcnow()

    @property
    def lifetime(self):
        return lifetimes.describe(self.lifetime_unit, self.lifetime_amount)

    @property
    def missing_english(self):
        if not self.service_en:
            return True
        return any(not purpose.description_en for purpose in self.purposes)

    @property
    def missing_french(self):
        """A French text that is still the imported English (behind the [EN] mark)."""
        texts = [self.service_fr, *(purpose.description_fr for purpose in self.purposes)]
        return any((text or "").startswith(UNTRANSLATED) for text in texts)

    def __str__(self):
        if self.domain:
            return f"{self.display_name} ({self.domain})"
        return self.display_name or ""


class SiteSettings(RuledModel, Versioned, db.Model):
    """Who publishes the policy and how to reach them. One row per site."""

    __tablename__ = "site_settings"
    __table_args__ = NEVER_REUSE_IDS
    __field_rules__ = {
        "site_name": v.text(120, required=True),
        "site_url": v.url(required=True),
        "controller_name": v.text(200, required=True),
        "controller_address": v.text(500, multiline=True),
        "contact_email": v.email(required=True),
        "contact_url": v.url(),
        "consent_manager": v.one_of(CONSENT_MANAGERS),
        "consent_settings_url": v.url(),
        "consent_settings_where_fr": v.text(300),
        "consent_settings_where_en": v.text(300),
        "consent_months": v.whole_number(1, MAX_CONSENT_MONTHS),
        "dpo_name": v.text(200),
        "dpo_contact": v.email_or_url,
        "complaint_url": v.url(),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    site_name: Mapped[str] = mapped_column(String(120))
    site_url: Mapped[str] = mapped_column(String(500))
    controller_name: Mapped[str] = mapped_column(String(200))
    controller_address: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_url: Mapped[str | None] = mapped_column(String(500))
    consent_manager: Mapped[str] = mapped_column(String(20), default="none", server_default="none")
    consent_settings_url: Mapped[str | None] = mapped_column(String(500))
    # Where visitors find the banner's settings, in the site owner's words, when no page or
    # button of ours can take them there (the policy promises no control it does not render).
    consent_settings_where_fr: Mapped[str | None] = mapped_column(String(300))
    consent_settings_where_en: Mapped[str | None] = mapped_column(String(300))
    # How long a visitor's choice is kept before they are asked again (rules/consent.py).
    consent_months: Mapped[int] = mapped_column(Integer, default=CONSENT_MONTHS, server_default=str(CONSENT_MONTHS))
    # The data protection officer (GDPR art. 13(1)(b)) and where visitors complain (art. 13(2)(d)).
    dpo_name: Mapped[str | None] = mapped_column(String(200))
    dpo_contact: Mapped[str | None] = mapped_column(String(500))
    complaint_url: Mapped[str | None] = mapped_column(String(500), default=legal.CNIL_COMPLAINT_URL)
    # Whether visitors can read the published versions and their changes (else the back office only).
    archive_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    def __str__(self):
        return self.site_name or ""

    @classmethod
    def current(cls, session):
        """The site's settings (one site per instance for now), or None before setup."""
        return session.scalars(select(cls).order_by(cls.id).limit(1)).first()


def display_name(name, is_pattern):
    """A cookie's name as the policy shows it: a prefix pattern ends with '*'."""
    if is_pattern and name and "*" not in name:
        return name + "*"
    return name


class InventoryState(db.Model):
    """A counter bumped by every change to the inventory, with the time of that change.

    The policy's "last updated" date comes from here, and caches key on ``revision``.
    """

    __tablename__ = "inventory_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __str__(self):
        return f"r{self.revision}"

    @classmethod
    def bump(cls, connection):
        """Move the revision on, in the transaction of ``connection``."""
        table = cls.__table__
        result = connection.execute(
            update(table).where(table.c.id == 1).values(revision=table.c.revision + 1, changed_at=utcnow())
        )
        if result.rowcount == 0:
            connection.execute(table.insert().values(id=1, revision=1, changed_at=utcnow()))


INVENTORY_MODELS = (Provider, Category, Purpose, Cookie, SiteSettings)


def _refuse_delete_in_use(count_query, message):
    """Deleting a provider, category or purpose that cookies still use is refused."""

    def listener(mapper, connection, target):
        count = connection.execute(count_query(target.id)).scalar_one()
        if count:
            raise InventoryError(message(target, count))

    return listener


def _count_cookies(column):
    return lambda ident: select(func.count()).select_from(column.table).where(column == ident)


event.listen(
    Provider,
    "before_delete",
    _refuse_delete_in_use(
        _count_cookies(Cookie.__table__.c.provider_id),
        lambda p, n: lazy_ngettext(
            "“%(name)s” still sets %(num)s cookie: move it to another provider or delete it first.",
            "“%(name)s” still sets %(num)s cookies: move them to another provider or delete them first.",
            n,
            name=p.name,
        ),
    ),
)
event.listen(
    Category,
    "before_delete",
    _refuse_delete_in_use(
        _count_cookies(Cookie.__table__.c.category_id),
        lambda c, n: lazy_ngettext(
            "The category “%(name)s” still holds %(num)s cookie: move it to another category first.",
            "The category “%(name)s” still holds %(num)s cookies: move them to another category first.",
            n,
            name=c.name_fr,
        ),
    ),
)
event.listen(
    Purpose,
    "before_delete",
    _refuse_delete_in_use(
        _count_cookies(cookie_purposes.c.purpose_id),
        lambda p, n: lazy_ngettext(
            "This purpose is still used by %(num)s cookie: remove it from that cookie first.",
            "This purpose is still used by %(num)s cookies: remove it from those cookies first.",
            n,
        ),
    ),
)
