"""The JSON export is the backup: export, import into an empty database, export again gives
the same bytes, on SQLite and PostgreSQL, whatever the texts hold (unicode, line breaks,
formula-like starts)."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from inventory.export import export_bytes
from inventory.importing import import_inventory
from inventory.seed import load_seed
from models import Category, Cookie, Provider, Purpose, SiteSettings, db
from rules.validation import InventoryError
from tests.conftest import INVENTORY_TABLES
from tests.inventory.conftest import insert_cookies


def wipe():
    db.session.rollback()
    for name in INVENTORY_TABLES:
        db.session.execute(delete(db.metadata.tables[name]))
    db.session.commit()


def round_trip():
    first = export_bytes("json")
    wipe()
    report = import_inventory(first, filename="backup.json", dry_run=False)
    assert report.ok and report.applied, report.summary()
    db.session.expire_all()
    return first, export_bytes("json")


def test_the_sample_inventory_survives_a_round_trip_byte_for_byte(app):
    first, second = round_trip()
    assert second == first


def test_a_larger_inventory_survives_a_round_trip_byte_for_byte(app):
    insert_cookies(1200, purposes_per_cookie=3)
    first, second = round_trip()
    assert second == first
    assert first.count(b'"name": "c0') == 1200


def test_an_empty_database_round_trips_too(empty_inventory):
    first = export_bytes("json")
    report = import_inventory(first, filename="empty.json", dry_run=False)
    assert report.problems  # nothing to import is said, not silently accepted
    assert export_bytes("json") == first


# Texts: any printable unicode (accents, CJK, emoji), with formula-like starts; multi-line
# fields also get line breaks.
_chars = st.characters(blacklist_categories=("Cc", "Cs"))
_formula = st.sampled_from(["", "=", "+", "-", "@", "'=", '=HYPERLINK("http://x")', " | "])
single_line = st.builds(lambda a, b: a + b, _formula, st.text(_chars, min_size=1, max_size=25))
multi_line = st.builds(
    lambda a, b: a + b, _formula, st.text(st.one_of(_chars, st.just("\n"), st.just("\r")), min_size=1, max_size=40)
)
lifetimes = st.one_of(
    st.just(("session", None)),
    st.tuples(st.sampled_from(["minutes", "hours", "days", "months", "years"]), st.integers(1, 1000)),
)
cookies = st.fixed_dictionaries(
    {
        "name": single_line,
        "domain": st.sampled_from(["", ".example.com", "cdn.exämple.org", "ads.tracker.io"]),
        "provider": st.integers(0, 2),
        "category": st.sampled_from(["necessary", "preferences", "statistics", "marketing"]),
        "service_fr": single_line,
        "service_en": st.one_of(st.none(), single_line),
        "purposes": st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True),
        "lifetime": lifetimes,
        "party": st.sampled_from(["first", "third"]),
        "storage_kind": st.sampled_from(["http_cookie", "local_storage", "session_storage", "indexed_db", "pixel"]),
        "shown_on_policy": st.booleans(),
        "notes": st.one_of(st.none(), multi_line),
    }
)
inventories = st.fixed_dictionaries(
    {
        "providers": st.lists(single_line, min_size=3, max_size=3),
        "purposes": st.lists(st.tuples(multi_line, st.one_of(st.none(), multi_line)), min_size=5, max_size=5),
        "cookies": st.lists(cookies, min_size=1, max_size=6),
        "address": st.one_of(st.none(), multi_line),
        "site_name": single_line,
    }
)


def build(data):
    """Store generated data through the models (their rules normalise it); None if the rules refuse it."""
    try:
        settings_row = db.session.query(SiteSettings).one()
        settings_row.site_name = data["site_name"]
        settings_row.controller_address = data["address"]
        providers = [Provider(name=name) for name in data["providers"]]
        purposes = [Purpose(description_fr=fr, description_en=en) for fr, en in data["purposes"]]
        categories = {c.key: c for c in db.session.query(Category)}
        for item in data["cookies"]:
            unit, amount = item["lifetime"]
            db.session.add(
                Cookie(
                    name=item["name"],
                    domain=item["domain"],
                    provider=providers[item["provider"]],
                    category=categories[item["category"]],
                    service_fr=item["service_fr"],
                    service_en=item["service_en"],
                    purposes=[purposes[index] for index in item["purposes"]],
                    lifetime_unit=unit,
                    lifetime_amount=amount,
                    party=item["party"],
                    storage_kind=item["storage_kind"],
                    shown_on_policy=item["shown_on_policy"],
                    notes=item["notes"],
                )
            )
        db.session.add_all(providers + purposes)
        db.session.commit()
        return True
    except (InventoryError, Exception) as error:  # a generated duplicate breaks a unique constraint
        db.session.rollback()
        if isinstance(error, InventoryError) or "unique" in str(error).lower() or "UNIQUE" in str(error):
            return False
        raise


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=inventories)
def test_any_valid_inventory_survives_a_round_trip_byte_for_byte(app, data):
    wipe()
    load_seed()
    assume(build(data))
    first, second = round_trip()
    assert second == first
