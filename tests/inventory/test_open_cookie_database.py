"""The Open Cookie Database CSV imports: categories, domains, parties, patterns, lifetimes and
providers mapped; English kept as English and marked for translation; every row of the real
file accepted or listed with its reason, and the counts add up to the file's rows."""

import csv
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from inventory.importing import import_inventory
from inventory.importing.ocd import HEADER, UNTRANSLATED, split_domain
from models import Cookie, Provider, Purpose, db
from tests.inventory.conftest import checksum

ROOT = Path(__file__).resolve().parents[2]
OCD_FILE = ROOT.parent / "shared" / "data" / "open-cookie-database" / "open-cookie-database.csv"


def ocd_bytes(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def row(
    name="_ga",
    category="Analytics",
    domain="",
    description="ID used to identify users",
    retention="2 years",
    controller="Google",
    portal="https://business.safety.google/privacy/",
    wildcard="0",
    platform="Google Analytics",
):
    return ["256c0fe2", platform, category, name, domain, description, retention, controller, portal, wildcard]


def get(name, domain=""):
    db.session.expire_all()
    return db.session.scalars(select(Cookie).where(Cookie.name == name, Cookie.domain == domain)).one()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ("", "first")),
        ("facebook.com (3rd party)", ("facebook.com", "third")),
        ("Inspectlet.com (3rd Party)", ("Inspectlet.com", "third")),
        (".linkedin.com", (".linkedin.com", "third")),
        (" .mediarithmics.com", (".mediarithmics.com", "third")),
        (".commander1.com\u200b", (".commander1.com", "third")),
        (".amplitude.com.", (".amplitude.com", "third")),
    ],
)
def test_domain_text_gives_domain_and_party(text, expected):
    assert split_domain(text) == expected


@pytest.mark.parametrize(
    "text", [".bing.com (3rd party) or .microsoft.com (3rd party)", " or demdex.net (3rd party)", "a.com, b.com"]
)
def test_several_domains_in_one_cell_are_refused(text):
    with pytest.raises(ValueError):
        split_domain(text)


@pytest.mark.parametrize(
    "ocd_category, key",
    [
        ("Functional", "preferences"),
        ("Marketing", "marketing"),
        ("Analytics", "statistics"),
        ("Security", "necessary"),
        ("Necessary", "necessary"),
        ("Personalization", "preferences"),
    ],
)
def test_categories_are_mapped_to_ours(app, ocd_category, key):
    report = import_inventory(ocd_bytes([row(category=ocd_category)]), filename="ocd.csv", dry_run=False)
    assert report.ok, report.summary()
    assert get("_ga").category.key == key


def test_a_row_becomes_a_hidden_cookie_with_untranslated_french_marked(app):
    rows = [
        row(),
        row(name="_gid", domain="google.com (3rd party)", retention="1 day", wildcard="1", portal="not a url"),
    ]
    report = import_inventory(ocd_bytes(rows), filename="ocd.csv", dry_run=False)
    assert report.ok and report.format == "ocd", report.summary()
    ga = get("_ga")
    assert (ga.party, ga.domain, ga.is_pattern) == ("first", "", False)
    assert (ga.lifetime_unit, ga.lifetime_amount) == ("years", 2)
    assert ga.shown_on_policy is False
    assert ga.service_fr == ga.service_en == "Google Analytics"
    [purpose] = ga.purposes
    assert purpose.description_en == "ID used to identify users"
    assert purpose.description_fr == UNTRANSLATED + "ID used to identify users"
    assert "Open Cookie Database" in ga.notes and "256c0fe2" in ga.notes
    gid = get("_gid", "google.com")
    assert (gid.party, gid.is_pattern, gid.lifetime_unit, gid.lifetime_amount) == ("third", True, "days", 1)
    assert gid.purposes == ga.purposes  # one purpose per distinct description
    assert gid.provider is ga.provider
    assert ga.provider.privacy_policy_url == "https://business.safety.google/privacy/"


def test_a_second_import_changes_nothing_and_keeps_translations_and_choices(app):
    import_inventory(ocd_bytes([row()]), filename="ocd.csv", dry_run=False)
    cookie = get("_ga")
    cookie.purposes[0].description_fr = "Identifier les visiteurs"
    cookie.shown_on_policy = True
    cookie.service_fr = "Google Analytics (mesure d'audience)"
    db.session.commit()
    before = checksum()
    report = import_inventory(ocd_bytes([row()]), filename="ocd.csv", dry_run=False)
    assert report.ok and [c.action for c in report.changes] == ["unchanged"], report.summary()
    assert checksum() == before
    # The database's facts still update the cookie; the team's texts stay.
    report = import_inventory(
        ocd_bytes([row(retention="13 months", category="Marketing")]), filename="ocd.csv", dry_run=False
    )
    assert [(c.kind, c.action) for c in report.changes] == [("cookie", "update")]
    cookie = get("_ga")
    assert (cookie.lifetime_amount, cookie.category.key, cookie.shown_on_policy) == (13, "marketing", True)
    assert cookie.purposes[0].description_fr == "Identifier les visiteurs"


def test_unreadable_retention_names_the_row_and_column(app):
    report = import_inventory(ocd_bytes([row(), row(name="x", retention="Varies")]), filename="ocd.csv")
    [rejected] = report.rejected
    assert (
        str(rejected.problems[0])
        == "ocd.csv, row 3, column “Retention period”: “Varies” is not a duration such as “2 years”, “13 months”, “30 minutes” or “session”."
    )


def test_the_whole_open_cookie_database_imports_with_every_row_accounted_for(app):
    if not OCD_FILE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The Open Cookie Database is missing at {OCD_FILE} (shared/data must be beside the checkout).")
        pytest.skip(f"The Open Cookie Database is not at {OCD_FILE} (shared/ is not beside this checkout).")
    data = OCD_FILE.read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))[1:]
    cookies_before = db.session.scalar(select(db.func.count()).select_from(Cookie))

    plan = import_inventory(data, filename=OCD_FILE.name)
    assert plan.format == "ocd" and not plan.problems
    assert plan.rows == len(rows) == 2264
    counts = plan.counts("cookie", implied=False)
    assert sum(counts.values()) == len(rows)
    for change in plan.rejected:
        assert change.problems and all(p.column in HEADER for p in change.problems), change.describe()
        assert str(change.problems[0]).startswith(f"{OCD_FILE.name}, row ")
    assert {change.where.row for change in plan.changes if not change.implied} == set(range(2, len(rows) + 2))
    assert counts["create"] > 2000

    refused = import_inventory(data, filename=OCD_FILE.name, dry_run=False)
    assert not refused.applied  # some rows are rejected: all or nothing by default
    assert db.session.scalar(select(db.func.count()).select_from(Cookie)) == cookies_before

    applied = import_inventory(data, filename=OCD_FILE.name, dry_run=False, skip_invalid=True)
    assert applied.applied and applied.counts("cookie") == counts
    assert db.session.scalar(select(db.func.count()).select_from(Cookie)) == cookies_before + counts["create"]
    assert db.session.scalar(select(db.func.count()).select_from(Provider)) == 1 + applied.counts("provider")["create"]
    untranslated = db.session.scalars(select(Purpose.description_fr).where(Purpose.description_fr.like("[EN] %"))).all()
    assert len(untranslated) == applied.counts("purpose")["create"]

    again = import_inventory(data, filename=OCD_FILE.name)
    assert again.counts("cookie")["unchanged"] == counts["create"]
    assert again.counts("cookie")["create"] == 0
