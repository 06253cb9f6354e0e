"""The inventory's rules, enforced by the models whatever the entry point (back office, CLI, import).

The field rules (rules/validation.py, rules/lifetime.py) run when a value is set on a model, so
the tests that only build a model take no ``app``: no database, and one run instead of one per
backend. The tests that save, delete or read the seed take ``app``."""

import pytest
from flask import g
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Category, Cookie, InventoryState, Provider, Purpose, Role, SiteSettings, User, cookie_purposes, db
from rules.lifetime import THIRTEEN_MONTHS
from rules.validation import InventoryError
from tests.helpers import count, fresh, make_cookie, revision, seed_objects

# --- Required French text, optional English ----------------------------------------------------


@pytest.mark.parametrize(
    "model, field",
    [
        (Provider, "name"),
        (Category, "name_fr"),
        (Category, "description_fr"),
        (Purpose, "description_fr"),
        (Cookie, "service_fr"),
        (Cookie, "name"),
    ],
)
@pytest.mark.parametrize("blank", ["", "   ", None])
def test_required_french_text_is_refused_when_blank(model, field, blank):
    with pytest.raises(InventoryError) as error:
        model(**{field: blank})
    assert error.value.field == field
    assert "required" in str(error.value).lower() or "obligatoire" in str(error.value).lower()


@pytest.mark.parametrize(
    "model, field",
    [(Category, "name_en"), (Category, "description_en"), (Purpose, "description_en"), (Cookie, "service_en")],
)
def test_english_text_is_optional_and_blank_is_stored_as_null(model, field):
    assert getattr(model(**{field: "  "}), field) is None
    assert getattr(model(**{field: " Some text "}), field) == "Some text"


def test_a_purpose_without_english_is_saved(app):
    db.session.add(Purpose(description_fr="Mesurer l'audience", description_en=""))
    db.session.commit()
    purpose = fresh().scalars(select(Purpose).where(Purpose.description_fr == "Mesurer l'audience")).one()
    assert purpose.description_en is None


def test_text_is_trimmed_and_length_bounded():
    assert Provider(name="  Matomo  ").name == "Matomo"
    with pytest.raises(InventoryError, match="120"):
        Provider(name="x" * 121)


# --- Web addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["https://matomo.org/privacy-policy/", "http://example.com", "HTTPS://EXAMPLE.COM/a?b=c"]
)
def test_http_and_https_addresses_are_accepted(address):
    assert Provider(name="P", privacy_policy_url=address).privacy_policy_url == address


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "ftp://example.com/policy.txt",
        "data:text/html,<script>alert(1)</script>",
        "//example.com/policy",
        "example.com/policy",
        "https://",
        "https://exa mple.com",
    ],
)
@pytest.mark.parametrize("field", ["website", "privacy_policy_url"])
def test_non_web_addresses_are_refused(field, address):
    with pytest.raises(InventoryError) as error:
        Provider(name="P", **{field: address})
    assert error.value.field == field


def test_site_settings_require_a_web_address():
    with pytest.raises(InventoryError):
        SiteSettings(site_url="javascript:alert(1)")
    with pytest.raises(InventoryError):
        SiteSettings(site_url="")


# --- Control characters ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Open\x00data", "Open\x1bdata", "Open\x7fdata", "Open\u0085data", "Open\ndata"])
def test_control_characters_are_refused_in_single_line_text(value):
    with pytest.raises(InventoryError, match="control|contrôle"):
        Provider(name=value)


def test_multiline_text_keeps_line_breaks_but_refuses_other_control_characters():
    purpose = Purpose(description_fr="Première ligne\r\nSeconde ligne\tfin")
    assert purpose.description_fr == "Première ligne\nSeconde ligne\tfin"
    with pytest.raises(InventoryError):
        Purpose(description_fr="Bip\x07")


# --- Category key, country, domain --------------------------------------------------------------


@pytest.mark.parametrize(
    "key, stored", [("statistics", "statistics"), ("Social_Media", "social_media"), ("a-b-1", "a-b-1")]
)
def test_category_key_accepts_lowercase_identifiers(key, stored):
    assert Category(key=key).key == stored


@pytest.mark.parametrize("key", ["", "1stats", "_stats", "with space", "stätistics", "stats!", "x" * 41])
def test_category_key_refuses_other_formats(key):
    with pytest.raises(InventoryError):
        Category(key=key)


@pytest.mark.parametrize("code, stored", [("FR", "FR"), ("de", "DE"), ("", None), (None, None)])
def test_country_is_an_iso_alpha2_code(code, stored):
    assert Provider(name="P", country=code).country == stored


@pytest.mark.parametrize("code", ["FRA", "F1", "12", "é"])
def test_country_refuses_anything_else(code):
    with pytest.raises(InventoryError):
        Provider(name="P", country=code)


@pytest.mark.parametrize("value", ["https://example.com", "example.com/path", "exa mple.com"])
def test_cookie_domain_is_a_bare_host_name(value):
    with pytest.raises(InventoryError):
        Cookie(domain=value)
    assert Cookie(domain=".Example.COM").domain == ".example.com"


# --- Uniqueness ------------------------------------------------------------------------------


def test_two_cookies_cannot_share_name_and_domain(app):
    make_cookie(name="_ga", domain=".example.org")
    make_cookie(name="_ga", domain=".other.org")  # another domain is another cookie
    with pytest.raises(IntegrityError):
        make_cookie(name="_ga", domain=".example.org")
    db.session.rollback()
    assert count(Cookie, Cookie.name == "_ga") == 2


def test_two_cookies_without_domain_cannot_share_a_name(app):
    make_cookie(name="prefs", domain="")
    with pytest.raises(IntegrityError):
        make_cookie(name="prefs", domain="")
    db.session.rollback()
    assert count(Cookie, Cookie.name == "prefs") == 1


def test_provider_names_are_unique(app):
    db.session.add(Provider(name="Opendatasoft"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert count(Provider, Provider.name == "Opendatasoft") == 1


# --- Cookie invariants -------------------------------------------------------------------------


def test_a_cookie_needs_at_least_one_purpose(app):
    before = count(Cookie)
    with pytest.raises(InventoryError) as error:
        make_cookie(purposes=[])
    assert error.value.field == "purposes"
    db.session.rollback()
    assert count(Cookie) == before


def test_removing_the_last_purpose_of_a_cookie_is_refused(app):
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    cookie.purposes = []
    with pytest.raises(InventoryError):
        db.session.commit()
    db.session.rollback()
    assert len(fresh().scalars(select(Cookie).where(Cookie.name == "sessionid")).one().purposes) == 1


def test_a_session_cookie_has_no_amount(app):
    make_cookie(lifetime_unit="session", lifetime_amount=5)
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "test_cookie")).one()
    assert cookie.lifetime_unit == "session"
    assert cookie.lifetime_amount is None
    assert cookie.lifetime_minutes is None


@pytest.mark.parametrize("unit", ["minutes", "hours", "days", "months", "years"])
@pytest.mark.parametrize("amount", [None, "", 0, -1, 1001])
def test_a_timed_cookie_needs_an_amount_from_1_to_1000(app, unit, amount):
    with pytest.raises(InventoryError) as error:
        make_cookie(lifetime_unit=unit, lifetime_amount=amount)
    assert error.value.field == "lifetime_amount"
    db.session.rollback()
    assert count(Cookie, Cookie.name == "test_cookie") == 0


def test_a_lifetime_amount_must_be_a_whole_number():
    with pytest.raises(InventoryError):
        Cookie(lifetime_amount="two weeks")
    assert Cookie(lifetime_amount="14").lifetime_amount == 14


def test_an_unknown_lifetime_unit_is_refused():
    with pytest.raises(InventoryError):
        Cookie(lifetime_unit="weeks")


@pytest.mark.parametrize(
    "unit, amount, minutes",
    [
        ("minutes", 30, 30),
        ("hours", 2, 120),
        ("days", 14, 14 * 24 * 60),
        ("months", 6, 262980),  # a month is a twelfth of 365.25 days
        ("years", 1, 525960),
        ("session", None, None),
    ],
)
def test_lifetime_in_minutes_is_derived_from_unit_and_amount(app, unit, amount, minutes):
    make_cookie(lifetime_unit=unit, lifetime_amount=amount)
    assert fresh().scalars(select(Cookie).where(Cookie.name == "test_cookie")).one().lifetime_minutes == minutes


def test_lifetime_in_minutes_follows_an_edit(app):
    make_cookie(lifetime_unit="days", lifetime_amount=1)
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "test_cookie")).one()
    cookie.lifetime_unit, cookie.lifetime_amount = "years", 2
    db.session.commit()
    assert fresh().scalars(select(Cookie).where(Cookie.name == "test_cookie")).one().lifetime_minutes == 2 * 525960


@pytest.mark.parametrize(
    "unit, amount, over",
    [
        ("months", 13, False),
        ("days", 395, False),
        ("years", 1, False),
        ("days", 396, True),
        ("months", 14, True),
        ("years", 2, True),
    ],
)
def test_the_13_month_boundary(app, unit, amount, over):
    make_cookie(lifetime_unit=unit, lifetime_amount=amount)
    minutes = fresh().scalars(select(Cookie).where(Cookie.name == "test_cookie")).one().lifetime_minutes
    assert (minutes > THIRTEEN_MONTHS) is over


def test_a_star_in_the_name_makes_it_a_pattern(app):
    make_cookie(name="_ga_*", is_pattern=False)
    make_cookie(name="_pk_id", is_pattern=False)
    session = fresh()
    assert session.scalars(select(Cookie).where(Cookie.name == "_ga_*")).one().is_pattern is True
    assert session.scalars(select(Cookie).where(Cookie.name == "_pk_id")).one().is_pattern is False


def test_a_prefix_pattern_is_shown_with_a_star():
    assert Cookie(name="_ga_", is_pattern=True).display_name == "_ga_*"
    assert Cookie(name="_ga_*", is_pattern=True).display_name == "_ga_*"
    assert Cookie(name="_ga", is_pattern=False).display_name == "_ga"


# --- Deleting what cookies still use ---------------------------------------------------------


def _delete_refused(obj_query):
    before = {table: count(table) for table in (Provider, Category, Purpose, Cookie)}
    links_before = db.session.execute(select(cookie_purposes)).all()
    obj = fresh().scalars(obj_query).one()
    db.session.delete(obj)
    with pytest.raises(InventoryError) as error:
        db.session.commit()
    db.session.rollback()
    assert {table: count(table) for table in before} == before
    assert fresh().execute(select(cookie_purposes)).all() == links_before
    return str(error.value)


def test_deleting_a_provider_still_used_is_refused(app):
    message = _delete_refused(select(Provider).where(Provider.name == "Opendatasoft"))
    assert "Opendatasoft" in message and "4" in message


def test_deleting_a_category_still_used_is_refused(app):
    message = _delete_refused(select(Category).where(Category.key == "necessary"))
    assert "Cookies nécessaires au fonctionnement" in message and "4" in message


def test_deleting_a_purpose_still_used_is_refused(app):
    message = _delete_refused(select(Purpose).order_by(Purpose.id).limit(1))
    assert "1 cookie" in message


def test_deleting_a_purpose_still_used_is_refused_even_with_its_cookies_loaded(app):
    purpose = fresh().scalars(select(Purpose).order_by(Purpose.id).limit(1)).one()
    assert len(purpose.cookies) == 1  # the collection is in memory
    db.session.delete(purpose)
    with pytest.raises(InventoryError):
        db.session.commit()
    db.session.rollback()
    assert count(Purpose) == 4
    sessionid = fresh().scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    assert [p.description_fr for p in sessionid.purposes] == ["Se souvenir de l’utilisateur d’une page à une autre."]


def test_unused_provider_category_and_purpose_can_be_deleted(app):
    db.session.add_all([Provider(name="Unused"), Purpose(description_fr="Inutilisée")])
    db.session.commit()
    session = fresh()
    for obj in (
        session.scalars(select(Provider).where(Provider.name == "Unused")).one(),
        session.scalars(select(Purpose).where(Purpose.description_fr == "Inutilisée")).one(),
        session.scalars(select(Category).where(Category.key == "marketing")).one(),
    ):
        session.delete(obj)
    session.commit()
    assert count(Provider) == 1
    assert count(Purpose) == 4
    assert count(Category) == 3


def test_a_purpose_can_be_swapped_and_deleted_in_one_change(app):
    session = fresh()
    cookie = session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    old = cookie.purposes[0]
    cookie.purposes = [Purpose(description_fr="Nouvelle finalité")]
    session.delete(old)
    session.commit()
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    assert [p.description_fr for p in cookie.purposes] == ["Nouvelle finalité"]


def test_deleting_a_cookie_removes_its_purpose_links_but_keeps_the_purposes(app):
    session = fresh()
    session.delete(session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one())
    session.commit()
    assert count(Cookie) == 3
    assert count(Purpose) == 4
    assert len(fresh().execute(select(cookie_purposes)).all()) == 3


# --- The inventory's revision -------------------------------------------------------------------


def test_revision_bumps_on_create_update_and_delete(app):
    start = revision()
    make_cookie()
    assert revision() == start + 1

    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "test_cookie")).one()
    cookie.service_fr = "Autre service"
    db.session.commit()
    assert revision() == start + 2

    session = fresh()
    session.delete(session.scalars(select(Cookie).where(Cookie.name == "test_cookie")).one())
    session.commit()
    assert revision() == start + 3


def test_revision_bumps_when_only_the_purposes_change(app):
    start = revision()
    session = fresh()
    cookie = session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    updated = cookie.updated_at
    other = session.scalars(
        select(Purpose).where(Purpose.description_fr == "Se souvenir de la langue du visiteur")
    ).one()
    cookie.purposes.append(other)
    session.commit()
    assert revision() == start + 1
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    assert len(cookie.purposes) == 2
    assert cookie.updated_at >= updated


@pytest.mark.parametrize("model", [Provider, Category, Purpose, SiteSettings])
def test_revision_bumps_on_any_inventory_change(app, model):
    start = revision()
    obj = fresh().scalars(select(model).limit(1)).first()
    field = {Provider: "website", Category: "name_en", Purpose: "description_en", SiteSettings: "site_name"}[model]
    setattr(obj, field, "https://changed.example" if field == "website" else "Changed")
    db.session.commit()
    assert revision() == start + 1


def test_revision_does_not_move_without_a_change(app):
    start = revision()
    session = fresh()
    cookie = session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    cookie.service_fr = cookie.service_fr
    session.commit()
    assert revision() == start


def test_a_refused_change_does_not_bump_the_revision(app):
    start = revision()
    with pytest.raises(InventoryError):
        make_cookie(purposes=[])
    db.session.rollback()
    assert revision() == start


def test_revision_records_the_time_of_change(app):
    state = fresh().get(InventoryState, 1)
    before = state.changed_at
    make_cookie()
    assert fresh().get(InventoryState, 1).changed_at >= before


# --- How each record reads ------------------------------------------------------------------


def test_every_model_reads_as_its_name(app):
    provider, necessary, purpose = seed_objects()
    assert str(provider) == "Opendatasoft"
    assert str(purpose) == "Se souvenir de l’utilisateur d’une page à une autre."
    assert str(fresh().scalars(select(SiteSettings)).one()) == "Datajoule"
    assert str(fresh().get(InventoryState, 1)) == f"r{revision()}"
    assert str(Cookie(name="_ga", domain=".example.org")) == "_ga (.example.org)"
    assert str(Cookie(name="_ga_", is_pattern=True)) == "_ga_*"
    assert str(fresh().scalars(select(User).where(User.email == "editor@example.com")).one()) == "editor@example.com"


def test_category_and_purpose_read_in_the_current_language(app):
    # A fresh application context per visitor: the locale is cached in ``g``.
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        provider, necessary, purpose = seed_objects()
        assert str(necessary) == "Strictly necessary cookies"
        assert str(purpose) == "Remember the user from one page to the next."
        assert str(fresh().scalars(select(Role).where(Role.name == "editor")).one()) == "Editor"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "fr"}):
        provider, necessary, purpose = seed_objects()
        assert str(necessary) == "Cookies nécessaires au fonctionnement"
        assert str(fresh().scalars(select(Role).where(Role.name == "editor")).one()) == "Éditeur"


def test_untranslated_category_falls_back_to_french(app):
    with app.app_context(), app.test_request_context("/"):
        g.lang = "en"
        category = Category(key="social", name_fr="Réseaux sociaux")
        assert str(category) == "Réseaux sociaux"
        assert str(Category(key="social")) == "social"


def test_records_read_outside_a_request(app):
    """The CLI and exports print records with no visitor: French, the default language."""
    provider, necessary, purpose = seed_objects()
    assert str(necessary) == "Cookies nécessaires au fonctionnement"
    assert str(purpose) == "Se souvenir de l’utilisateur d’une page à une autre."
