"""One back-office view per inventory model."""

import re

from flask import abort, flash, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, FilterEqual
from flask_admin.form import rules
from flask_admin.helpers import get_redirect_target
from flask_babel import format_number, get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import ARRAY, Integer, and_, any_, cast, func, literal, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectField
from wtforms.validators import DataRequired

from models import Category, Cookie, Provider, Purpose, SiteSettings, cookie_purposes, db
from models.inventory import (
    CONSENT_MANAGER_LABELS,
    CONSENT_MANAGERS,
    PARTIES,
    PARTY_LABELS,
    STORAGE_KINDS,
    STORAGE_LABELS,
)
from rules import legal
from rules import lifetime as lifetimes
from rules.countries import country_codes, country_name
from rules.language import UNTRANSLATED, ngettext
from rules.validation import InventoryError

from .base import InventoryView, SecureIndexView
from .findings import counts as finding_counts
from .findings import draft_findings
from .list_args import filter_arg, stored_integer
from .publication import pending_reviews, waiting_changes
from .transfer import FilteredExportMixin

YES_NO = (("1", _l("Yes")), ("0", _l("No")))
# Filters of the cookie list that the overview links to.
MISSING_ENGLISH = _l("English text missing")
MISSING_FRENCH = _l("French text missing")
SAMPLE_DATA = _l("Sample data")


def _choices(values, labels):
    return [(value, labels[value]) for value in values]


def missing_english_clause():
    """Cookies whose English service text or any purpose's English text is missing."""
    untranslated_purpose = (
        select(cookie_purposes.c.cookie_id)
        .join(Purpose, Purpose.id == cookie_purposes.c.purpose_id)
        .where(or_(Purpose.description_en.is_(None), Purpose.description_en == ""))
    )
    return or_(Cookie.service_en.is_(None), Cookie.service_en == "", Cookie.id.in_(untranslated_purpose))


def still_english(column):
    """A French text that is still the imported English, behind the [EN] mark."""
    return column.startswith(UNTRANSLATED, autoescape=True)


def missing_french_clause():
    """Cookies whose French service text or any purpose's French text is still the imported English."""
    untranslated_purpose = (
        select(cookie_purposes.c.cookie_id)
        .join(Purpose, Purpose.id == cookie_purposes.c.purpose_id)
        .where(still_english(Purpose.description_fr))
    )
    return or_(still_english(Cookie.service_fr), Cookie.id.in_(untranslated_purpose))


def like_pattern(term):
    """A LIKE pattern (escape character ``\\``) for a search word, with Flask-Admin's prefixes."""
    mode = "contains"
    if term[:1] in ("^", "=") and len(term) > 1:
        mode, term = {"^": "starts", "=": "exact"}[term[0]], term[1:]
    literal = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return {"contains": f"%{literal}%", "starts": f"{literal}%", "exact": literal}[mode]


def cookie_search_clause(term, dialect=None):
    """Cookies matching one search word. On PostgreSQL every alternative can be answered by
    an index (trigram indexes for the texts, models/search_indexes.py; the provider and
    purpose matches as arrays computed once, ``= ANY(...)``), so that the planner combines
    them instead of reading the table. ``IN (subquery)`` would leave it no index to use for
    that alternative."""
    pattern = like_pattern(term)
    dialect = dialect or db.session.get_bind().dialect.name

    def like(column):
        if dialect == "sqlite":
            # SQLite's LIKE ignores case already, for ASCII letters, exactly as ILIKE's
            # lower(...) LIKE lower(...) does there: the same rows, without two function
            # calls per column and row.
            return column.like(pattern, escape="\\")
        return column.ilike(pattern, escape="\\")

    providers = select(Provider.id).where(like(Provider.name))
    purposes = (
        select(cookie_purposes.c.cookie_id)
        .join(Purpose, Purpose.id == cookie_purposes.c.purpose_id)
        .where(or_(like(Purpose.description_fr), like(Purpose.description_en)))
    )
    if dialect == "postgresql":

        def matches(column, ids):
            rows = ids.subquery()
            found = select(func.array_agg(list(rows.c)[0])).scalar_subquery()
            return column == any_(func.coalesce(found, cast(literal("{}"), ARRAY(Integer))))

    else:

        def matches(column, ids):
            return column.in_(ids)

    return or_(
        like(Cookie.name),
        like(Cookie.domain),
        like(Cookie.service_fr),
        like(Cookie.service_en),
        matches(Cookie.provider_id, providers),
        matches(Cookie.id, purposes),
    )


class YesNoFilter(BaseSQLAFilter):
    """A filter answered by yes or no, built from a SQL condition."""

    def __init__(self, name, clause, column=Cookie.id):
        # The column only tells Flask-Admin which table the filter is on (no join for its own).
        super().__init__(column, name, options=YES_NO)
        self.clause = clause

    def apply(self, query, value, alias=None):
        condition = self.clause()
        return query.filter(condition if value == "1" else ~condition)

    def operation(self):
        return _l("is")


def _badge(text, kind):
    return Markup('<span class="badge badge-{}">{}</span>').format(kind, text)


# --- The cookie list's bulk actions ------------------------------------------------------------

# The most cookies one bulk action takes: more is refused with a message, before any query.
BULK_MAX_COOKIES = 10_000
# The cookies a choice page or a message names; the others are counted.
BULK_NAMES_SHOWN = 20
BULK_ACTIONS = ("show", "hide", "set_category", "set_provider")
# An id as the list sends it: ``int`` would also take "１", " 5" or "1_000".
_DIGITS = re.compile(r"[0-9]{1,10}")
# The order of the list's "With selected" menu (Flask-Admin's is alphabetical by method).
ACTION_ORDER = (*BULK_ACTIONS, "delete")


def read_selection(ids):
    """The selected ids that a cookie could have, as integers, once each; anything else (not
    ASCII digits, beyond the id column's integers, zero) is ignored."""
    selection = (stored_integer(ident) for ident in ids if isinstance(ident, int) or _DIGITS.fullmatch(ident))
    return list(dict.fromkeys(ident for ident in selection if ident is not None and ident > 0))


def read_listed_versions(value):
    """{cookie id: version} from the list's ``listed_versions`` field ("id:version id:version"),
    at most BULK_MAX_COOKIES pairs; what is not a pair of stored integers is ignored."""
    versions = {}
    for token in (value or "").split(None, BULK_MAX_COOKIES)[:BULK_MAX_COOKIES]:
        ident, _, version = token.partition(":")
        ident, version = stored_integer(ident), stored_integer(version)
        if ident is not None and version is not None:
            versions[ident] = version
    return versions


def _names(cookies):
    shown = ", ".join(str(cookie) for cookie in cookies[:BULK_NAMES_SHOWN])
    if len(cookies) > BULK_NAMES_SHOWN:
        rest = len(cookies) - BULK_NAMES_SHOWN
        more = ngettext("and %(num)s more", "and %(num)s more", rest)
        shown = f"{shown} {more}"
    return shown


# What the two actions that need a choice ask and say.
BULK_CHOICES = {
    "set_category": {
        "model": Category,
        "field": "category",
        "order": (Category.position, Category.id),
        "title": _l("Set the category of the selected cookies"),
        "label": _l("New category"),
        "button": _l("Change the category"),
        "missing": _l("Choose the cookie's category."),
        "done": lambda n, name: ngettext(
            "%(num)s cookie is now in the category %(name)s.",
            "%(num)s cookies are now in the category %(name)s.",
            n,
            name=name,
        ),
    },
    "set_provider": {
        "model": Provider,
        "field": "provider",
        "order": (Provider.name, Provider.id),
        "title": _l("Set the provider of the selected cookies"),
        "label": _l("New provider"),
        "button": _l("Change the provider"),
        "missing": _l("Choose who sets this cookie (provider)."),
        "done": lambda n, name: ngettext(
            "%(num)s cookie is now set by %(name)s.",
            "%(num)s cookies are now set by %(name)s.",
            n,
            name=name,
        ),
    },
}


def _translations_badges(cookie):
    missing = [
        _badge(label, "warning")
        for label, lacking in (
            (_l("French missing"), cookie.missing_french),
            (_l("English missing"), cookie.missing_english),
        )
        if lacking
    ]
    return Markup(" ").join(missing) if missing else _badge(_l("Complete"), "success")


class CookieView(FilteredExportMixin, InventoryView):
    column_list = (
        "name",
        "provider",
        "category",
        "service_fr",
        "purposes",
        "lifetime_minutes",
        "party",
        "storage_kind",
        "shown_on_policy",
        "translations",
    )
    column_details_list = (
        "name",
        "is_pattern",
        "provider",
        "category",
        "service_fr",
        "service_en",
        "purposes",
        "lifetime_minutes",
        "domain",
        "path",
        "party",
        "storage_kind",
        "shown_on_policy",
        "is_sample",
        "notes",
        "translations",
        "created_at",
        "updated_at",
    )
    column_sortable_list = (
        "name",
        ("provider", "provider.name"),
        ("category", "category.position"),
        "lifetime_minutes",
        "domain",
        "party",
        "storage_kind",
        "updated_at",
    )
    column_default_sort = ("name", False)
    # Provider and category are joined to the page's rows; the purposes (many-to-many) are read
    # in one more query for those rows. Flask-Admin's default joined every purpose link of the
    # inventory to the page.
    column_select_related_list = (Cookie.provider, Cookie.category)
    column_searchable_list = (
        "name",
        "domain",
        "service_fr",
        "service_en",
        "provider.name",
        "purposes.description_fr",
        "purposes.description_en",
    )
    column_filters = (
        FilterEqual(Provider.name, _l("Provider")),
        FilterEqual(Category.key, _l("Category")),
        FilterEqual(Cookie.party, _l("Set by"), options=_choices(PARTIES, PARTY_LABELS)),
        FilterEqual(Cookie.storage_kind, _l("Storage kind"), options=_choices(STORAGE_KINDS, STORAGE_LABELS)),
        # NULL-safe: a session cookie (no minutes) is listed under "No", not under neither.
        YesNoFilter(
            _l("Lifetime over 13 months"),
            lambda: and_(Cookie.lifetime_minutes.is_not(None), Cookie.lifetime_minutes > lifetimes.THIRTEEN_MONTHS),
        ),
        YesNoFilter(MISSING_ENGLISH, missing_english_clause),
        YesNoFilter(_l("Shown on the policy"), lambda: Cookie.shown_on_policy.is_(True)),
        YesNoFilter(SAMPLE_DATA, lambda: Cookie.is_sample.is_(True)),
        # Last, so that the filters' addresses the overview and bookmarks use stay as they were.
        YesNoFilter(MISSING_FRENCH, missing_french_clause),
    )
    column_formatters = {
        "lifetime_minutes": lambda v, c, m, n: m.lifetime,
        "party": lambda v, c, m, n: PARTY_LABELS.get(m.party, m.party),
        "storage_kind": lambda v, c, m, n: STORAGE_LABELS.get(m.storage_kind, m.storage_kind),
        "purposes": lambda v, c, m, n: Markup("<br>").join(escape(p.description_fr) for p in m.purposes),
        "name": lambda v, c, m, n: Markup('<code>{}</code><br><small class="text-muted">{}</small>').format(
            m.display_name, m.domain
        ),
        "translations": lambda v, c, m, n: _translations_badges(m),
    }
    column_formatters_detail = {
        **column_formatters,
        "name": lambda v, c, m, n: Markup("<code>{}</code>").format(m.display_name),
    }

    form_columns = (
        "name",
        "is_pattern",
        "domain",
        "path",
        "party",
        "storage_kind",
        "provider",
        "category",
        "purposes",
        "service_fr",
        "service_en",
        "lifetime_unit",
        "lifetime_amount",
        "lifetime_extended",
        "legal_basis",
        "shown_on_policy",
        "notes",
    )
    form_rules = (
        rules.FieldSet(
            ("name", "is_pattern", rules.Row("domain", "path"), rules.Row("party", "storage_kind")), _l("Cookie")
        ),
        rules.FieldSet(("provider", "category", "purposes"), _l("Who sets it and why")),
        rules.FieldSet((rules.Row("service_fr", "service_en"),), _l("Service and location")),
        rules.FieldSet((rules.Row("lifetime_unit", "lifetime_amount"), "lifetime_extended"), _l("Lifetime")),
        rules.FieldSet(("legal_basis",), _l("Legal basis")),
        rules.FieldSet(("shown_on_policy", "notes"), _l("Publication")),
    )
    form_choices = {
        "party": _choices(PARTIES, PARTY_LABELS),
        "storage_kind": _choices(STORAGE_KINDS, STORAGE_LABELS),
        "lifetime_unit": _choices(lifetimes.UNITS, lifetimes.UNIT_LABELS),
        "legal_basis": _choices(("", *legal.LEGAL_BASES), legal.LEGAL_BASIS_LABELS),
    }
    form_args = {
        "legal_basis": {
            "description": _l(
                "Consent, or the CNIL exemption that applies. Left to its category, a cookie of a category "
                "that requires consent needs consent; otherwise it is strictly necessary."
            )
        },
        "lifetime_extended": {"description": _l("Tick when each visit sets the cookie again with a new expiry date.")},
        "provider": {"validators": [DataRequired()]},
        "category": {"validators": [DataRequired()]},
        "purposes": {"validators": [DataRequired(message=_l("Choose at least one purpose."))]},
        "domain": {"description": _l("Leave empty for the site's own domain. Example: .example.com")},
        "path": {"description": _l("Where on the site the cookie is set: / for the whole site.")},
        "is_pattern": {"description": _l("Tick when the name is a prefix, such as _ga_ for _ga_ABC123.")},
        "service_en": {
            "description": _l("If left empty, the English policy shows the French text, marked as untranslated.")
        },
        "lifetime_amount": {"description": _l("Leave empty for a session cookie.")},
        "notes": {"description": _l("Never shown on the policy.")},
    }
    form_widget_args = {
        "notes": {"rows": 3},
        "service_fr": {"placeholder": "Authentification (front et back office)"},
        "service_en": {"placeholder": "Authentication (front and back office)"},
    }

    def get_query(self):
        return super().get_query().options(selectinload(Cookie.purposes))

    # --- Bulk actions: show, hide, set the category or the provider of the selected cookies.
    # Each is one transaction through the ORM, so the change pipeline (inventory/changes.py)
    # records one change set with a RecordChange per changed cookie, every changed cookie's
    # version moves on, and the policy's revision moves once. The list sends the version of
    # each row it showed (``listed_versions``, see ``render``): a selected cookie saved by
    # someone since is left as it is, with a message, and so is a cookie deleted meanwhile.

    def init_actions(self):
        super().init_actions()
        rank = {name: position for position, name in enumerate(ACTION_ORDER)}
        self._actions.sort(key=lambda item: rank.get(item[0], len(rank)))

    def is_action_allowed(self, name):
        if name in BULK_ACTIONS and not self.can_edit:
            return False
        return super().is_action_allowed(name)

    @expose("/action/", methods=("POST",))
    def action_view(self):
        # Viewers are offered no action; one posted anyway is refused outright. The base
        # view's action_view (called here) keeps the write intent.
        if not self.can_edit:
            abort(403)
        return super().action_view()

    def render(self, template, **kwargs):
        if template == self.list_template and kwargs.get("data") and self.can_edit:
            kwargs["listed_versions"] = " ".join(f"{cookie.id}:{cookie.version}" for cookie in kwargs["data"])
        return super().render(template, **kwargs)

    @action("show", _l("Show on the policy"), _l("Show the selected cookies on the policy?"))
    def action_show(self, ids):
        self._bulk_change(
            ids,
            "shown_on_policy",
            True,
            lambda n: ngettext(
                "%(num)s cookie is now shown on the policy.", "%(num)s cookies are now shown on the policy.", n
            ),
        )

    @action("hide", _l("Hide from the policy"), _l("Hide the selected cookies from the policy?"))
    def action_hide(self, ids):
        self._bulk_change(
            ids,
            "shown_on_policy",
            False,
            lambda n: ngettext(
                "%(num)s cookie is now hidden from the policy.", "%(num)s cookies are now hidden from the policy.", n
            ),
        )

    @action("set_category", _l("Set category…"))
    def action_set_category(self, ids):
        return self._bulk_choice(ids, "set_category")

    @action("set_provider", _l("Set provider…"))
    def action_set_provider(self, ids):
        return self._bulk_choice(ids, "set_provider")

    def _read_selection(self, ids):
        """The selection (see ``read_selection``), or None, with a message, when it holds more
        than BULK_MAX_COOKIES ids or no id a cookie could have."""
        if len(ids) > BULK_MAX_COOKIES:
            flash(
                gettext(
                    "Nothing was changed: a bulk action takes at most %(max)s cookies at a time.",
                    max=format_number(BULK_MAX_COOKIES),
                ),
                "error",
            )
            return None
        selection = read_selection(ids)
        if not selection:
            flash(gettext("No cookie was selected: nothing was changed."), "error")
            return None
        return selection

    def _bulk_choice(self, ids, name):
        """The choice page of "set category…" and "set provider…" (the list posts no choice),
        then, posted from that page with a valid choice, the change."""
        selection = self._read_selection(ids)
        if selection is None:
            return None
        texts = BULK_CHOICES[name]
        model = texts["model"]
        listed = read_listed_versions(request.form.get("listed_versions"))
        error = None
        chosen = request.form.get("choice")
        if chosen is not None:
            ident = stored_integer(chosen)
            target = db.session.get(model, ident) if ident is not None and ident > 0 else None
            if target is not None:
                label = str(target)
                self._bulk_change(selection, texts["field"], target, lambda n: texts["done"](n, label), listed=listed)
                return None
            error = str(texts["missing"])
        cookies = db.session.scalars(select(Cookie).where(Cookie.id.in_(selection)).order_by(Cookie.name)).all()
        if not cookies:
            self._flash_missing(len(selection))
            return None
        found = {cookie.id for cookie in cookies}
        return self.render(
            "admin/cookie/bulk_choice.html",
            action_name=name,
            title=texts["title"],
            label=texts["label"],
            button=texts["button"],
            choices=[(str(obj.id), str(obj)) for obj in db.session.scalars(select(model).order_by(*texts["order"]))],
            chosen=chosen,
            error=error,
            ids=selection,
            count=len(cookies),
            names=[str(cookie) for cookie in cookies[:BULK_NAMES_SHOWN]],
            more=len(cookies) - min(len(cookies), BULK_NAMES_SHOWN),
            listed_versions=" ".join(f"{ident}:{version}" for ident, version in listed.items() if ident in found),
            return_url=get_redirect_target() or self.get_url(".index_view"),
        )

    def _bulk_change(self, ids, field, value, done, listed=None):
        """Set ``field`` to ``value`` on the selected cookies, in one transaction."""
        selection = self._read_selection(ids)
        if selection is None:
            return
        if listed is None:
            listed = read_listed_versions(request.form.get("listed_versions"))
        try:
            # Locked until the commit (PostgreSQL; SQLite's writer holds the database already):
            # nobody saves one of these cookies between this read and the change.
            cookies = db.session.scalars(
                select(Cookie)
                .where(Cookie.id.in_(selection))
                .order_by(Cookie.id)
                .options(selectinload(Cookie.purposes), selectinload(Cookie.provider), selectinload(Cookie.category))
                .with_for_update(of=Cookie)
            ).all()
            stale = [cookie for cookie in cookies if listed.get(cookie.id, cookie.version) != cookie.version]
            stale_ids = {cookie.id for cookie in stale}
            changed = unchanged = 0
            for cookie in cookies:
                if cookie.id in stale_ids:
                    continue
                if getattr(cookie, field) == value:
                    unchanged += 1
                    continue
                setattr(cookie, field, value)
                changed += 1
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            self.handle_view_exception(error)
            return
        if changed:
            flash(done(changed), "success")
        if unchanged:
            flash(
                ngettext(
                    "%(num)s selected cookie needed no change.", "%(num)s selected cookies needed no change.", unchanged
                ),
                "info",
            )
        self._flash_missing(len(selection) - len(cookies))
        if stale:
            # gettext, not _l: the names are escaped as text.
            flash(
                ngettext(
                    "%(num)s cookie was changed by someone else after you loaded the list and was left as it is: "
                    "%(names)s. Reload the list to see the change, then try again.",
                    "%(num)s cookies were changed by someone else after you loaded the list and were left as they "
                    "are: %(names)s. Reload the list to see the changes, then try again.",
                    len(stale),
                    names=_names(sorted(stale, key=lambda cookie: cookie.name)),
                ),
                "warning",
            )

    def _flash_missing(self, missing):
        if missing:
            flash(
                ngettext(
                    "%(num)s selected cookie no longer exists (deleted meanwhile) and was skipped.",
                    "%(num)s selected cookies no longer exist (deleted meanwhile) and were skipped.",
                    missing,
                ),
                "warning",
            )

    def search_condition(self, word):
        """Each word must appear in the cookie's name, domain or service, its provider's name or
        one of its purposes. Provider and purposes are asked in subqueries, not joined: a
        cookie with two matching purposes stays one row, and the count needs no DISTINCT
        (which costs PostgreSQL a sort of the whole inventory). ``%`` and ``_`` are letters
        here, not wildcards: searching ``_ga_`` finds ``_ga_``. Flask-Admin's ``^`` (starts
        with) and ``=`` (exactly) prefixes keep their meaning."""
        return cookie_search_clause(word)

    def validate_submitted(self, form, valid):
        valid = super().validate_submitted(form, valid)
        if hasattr(form, "lifetime_unit") and not form.lifetime_unit.errors:
            try:
                unit, amount = lifetimes.check(form.lifetime_unit.data, form.lifetime_amount.data)
                form.lifetime_amount.data = amount
            except InventoryError as error:
                target = getattr(form, error.field or "lifetime_amount")
                target.errors = [*target.errors, str(error)]
                valid = False
        return valid


class ProviderView(InventoryView):
    column_list = ("name", "website", "privacy_policy_url", "country", "updated_at")
    column_searchable_list = ("name", "website")
    column_filters = ("country",)
    column_default_sort = ("name", False)
    column_formatters = {
        "country": lambda v, c, m, n: _country_name(m.country),
        "website": lambda v, c, m, n: _link(m.website),
        "privacy_policy_url": lambda v, c, m, n: _link(m.privacy_policy_url),
    }
    column_formatters_detail = column_formatters
    form_columns = (
        "name",
        "website",
        "privacy_policy_url",
        "country",
        "role",
        "transfer_safeguard",
        "transfer_safeguard_url",
    )
    form_overrides = {"country": SelectField}
    form_choices = {
        "role": _choices(("", *legal.PROVIDER_ROLES), legal.PROVIDER_ROLE_LABELS),
        "transfer_safeguard": _choices(("", *legal.SAFEGUARDS), legal.SAFEGUARD_LABELS),
    }
    form_args = {
        "privacy_policy_url": {"description": _l("The policy links the provider's name to this page.")},
        "role": {
            "description": _l("Whether it acts for the site (processor), for itself (controller), or with the site.")
        },
        "transfer_safeguard": {
            "description": _l(
                "For a provider established outside the European Economic Area: what frames the transfer."
            )
        },
        "transfer_safeguard_url": {"description": _l("The decision, the framework's entry or the clauses, if public.")},
    }
    form_widget_args = {
        "website": {"placeholder": "https://"},
        "privacy_policy_url": {"placeholder": "https://"},
        "transfer_safeguard_url": {"placeholder": "https://"},
    }

    def create_form(self, obj=None):
        return _with_countries(super().create_form(obj))

    def edit_form(self, obj=None):
        return _with_countries(super().edit_form(obj))


def _country_name(code):
    return country_name(code, get_locale())


def _link(address):
    if not address:
        return ""
    return Markup('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>').format(address)


def _with_countries(form):
    """Country choices in the editor's language, ISO codes as values."""
    if hasattr(form, "country"):
        locale = get_locale()
        form.country.choices = [("", _l("Unknown"))] + [
            (code, country_name(code, locale)) for code in country_codes(locale)
        ]
    return form


class CategoryView(InventoryView):
    column_list = ("position", "key", "name_fr", "name_en", "consent_required")
    column_default_sort = ("position", False)
    column_editable_list = ()
    column_searchable_list = ("key", "name_fr", "name_en")
    form_columns = ("key", "name_fr", "name_en", "description_fr", "description_en", "consent_required", "position")
    form_rules = (
        rules.FieldSet(("key", rules.Row("consent_required", "position")), _l("Category")),
        rules.FieldSet((rules.Row("name_fr", "name_en"), rules.Row("description_fr", "description_en")), _l("Texts")),
    )
    form_args = {
        "key": {"description": _l("A stable identifier used by exports and the consent banner, such as statistics.")},
        "position": {"description": _l("Categories are shown on the policy from the lowest number to the highest.")},
    }
    form_widget_args = {"description_fr": {"rows": 5}, "description_en": {"rows": 5}}


class PurposeView(InventoryView):
    column_list = ("description_fr", "description_en", "updated_at")
    column_searchable_list = ("description_fr", "description_en")
    column_default_sort = ("description_fr", False)
    column_filters = (
        YesNoFilter(
            MISSING_ENGLISH,
            lambda: or_(Purpose.description_en.is_(None), Purpose.description_en == ""),
            column=Purpose.id,
        ),
        YesNoFilter(MISSING_FRENCH, lambda: still_english(Purpose.description_fr), column=Purpose.id),
    )
    column_formatters = {
        "description_en": lambda v, c, m, n: m.description_en or _badge(_l("Missing"), "warning"),
    }
    form_columns = ("description_fr", "description_en", "retention_months")
    form_rules = (rules.Row("description_fr", "description_en"), "retention_months")
    form_args = {
        "retention_months": {
            "description": _l(
                "How long the data collected for this purpose is kept, in months (not the cookies' lifetimes)."
            )
        },
        "description_fr": {"description": _l("Example: Se souvenir de la langue du visiteur")},
        "description_en": {"description": _l("Example: Remember the visitor's language")},
    }
    form_widget_args = {"description_fr": {"rows": 3}, "description_en": {"rows": 3}}


class SettingsView(InventoryView):
    """The site's identity on the policy: one row."""

    column_list = ("site_name", "site_url", "controller_name", "contact_email")
    form_columns = (
        "site_name",
        "site_url",
        "controller_name",
        "controller_address",
        "contact_email",
        "contact_url",
        "consent_manager",
        "consent_settings_url",
        "consent_settings_where_fr",
        "consent_settings_where_en",
        "consent_months",
        "dpo_name",
        "dpo_contact",
        "complaint_url",
        "archive_public",
    )
    form_widget_args = {"controller_address": {"rows": 3}}
    form_choices = {"consent_manager": _choices(CONSENT_MANAGERS, CONSENT_MANAGER_LABELS)}
    form_args = {
        "consent_manager": {
            "description": _l(
                "When the policy is embedded in the site's pages, its “Change my cookie choices” button opens this consent manager."
            )
        },
        "consent_settings_url": {
            "description": _l(
                "A page of the site where visitors change their cookie choice. The policy links to it; leave empty if there is none."
            )
        },
        "consent_settings_where_fr": {
            "description": _l(
                "Where visitors reopen the cookie banner when there is no such page, as the policy should say it: for example « le lien Cookies en bas de chaque page »."
            )
        },
        "consent_settings_where_en": {
            "description": _l("The same in English, for example “the Cookies link at the bottom of every page”.")
        },
        "contact_email": {"description": _l("Shown on the policy for questions about cookies and personal data.")},
        "consent_months": {
            "description": _l(
                "How long a visitor's choice (consent or refusal) is kept before they are asked again; the policy states it. The CNIL recommends 6 months; at most 13."
            )
        },
        "dpo_contact": {"description": _l("An e-mail address or the address of a contact form.")},
        "complaint_url": {
            "description": _l("Where visitors lodge a complaint: the CNIL's complaint page unless you give another.")
        },
        "archive_public": {
            "description": _l(
                "Visitors can read every published version and what changed. Unticked, the versions are in the back office only."
            )
        },
    }

    @property
    def can_create(self):
        return super().can_create and db.session.scalar(select(func.count()).select_from(SiteSettings)) == 0

    can_delete = False


class DashboardView(SecureIndexView):
    """The overview: counts, and links to the cookies that need attention."""

    def __init__(self, cookie_view, **kwargs):
        super().__init__(**kwargs)
        self.cookie_view = cookie_view

    @expose("/")
    def index(self):
        counts = {
            "cookies": db.session.scalar(select(func.count()).select_from(Cookie)),
            "providers": db.session.scalar(select(func.count()).select_from(Provider)),
            "purposes": db.session.scalar(select(func.count()).select_from(Purpose)),
            "missing_english": db.session.scalar(
                select(func.count()).select_from(Cookie).where(missing_english_clause())
            ),
            "missing_french": db.session.scalar(
                select(func.count()).select_from(Cookie).where(missing_french_clause())
            ),
            "sample": db.session.scalar(select(func.count()).select_from(Cookie).where(Cookie.is_sample.is_(True))),
            "hidden": db.session.scalar(
                select(func.count()).select_from(Cookie).where(Cookie.shown_on_policy.is_(False))
            ),
        }
        links = {
            "missing_english": self._cookies_where(MISSING_ENGLISH),
            "missing_french": self._cookies_where(MISSING_FRENCH),
            "sample": self._cookies_where(SAMPLE_DATA),
        }
        current, changes = waiting_changes(db.session)
        publication = {"current": current, "changes": changes, "reviews": pending_reviews(db.session)}
        return self.render(
            "admin/dashboard.html",
            counts=counts,
            links=links,
            publication=publication,
            compliance=finding_counts(draft_findings()),
        )

    def _cookies_where(self, filter_name):
        view = self.cookie_view
        return url_for(f"{view.endpoint}.index_view", **{filter_arg(view, filter_name): "1"})
