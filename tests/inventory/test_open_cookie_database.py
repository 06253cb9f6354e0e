"""The Open Cookie Database CSV imports: categories, domains, parties, patterns, lifetimes and
providers mapped; English kept as English and marked for translation; every row of the real
file imported (created, flagged for review or merged), and the counts add up to the file's rows.
The rough rows' handling is in test_ocd_review.py."""

import csv
import io

import pytest
from sqlalchemy import select

from inventory.importing import import_inventory
from inventory.importing.ocd import HEADER, UNTRANSLATED, split_domain, split_domains
from models import Cookie, Provider, Purpose, db
from tests.helpers import open_cookie_database
from tests.inventory.conftest import checksum


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


@pytest.mark.parametrize(
    "text, expected, cleaned",
    [
        (
            ".bing.com (3rd party) or .microsoft.com (3rd party)",
            [(".bing.com", "third"), (".microsoft.com", "third")],
            True,
        ),
        (" or demdex.net (3rd party)", [("demdex.net", "third")], True),
        ("google-analytics.com (3rd party) or ", [("google-analytics.com", "third")], True),
        ("a.com, b.com; a.com", [("a.com", "third"), ("b.com", "third")], False),
        ("ads-[account].adhese.com", [(".adhese.com", "third")], True),
        ("facebook.com (3rd party)", [("facebook.com", "third")], False),
    ],
)
def test_a_cell_of_several_or_rough_domains_gives_each_domain(text, expected, cleaned):
    assert split_domains(text) == (expected, cleaned)


def test_unreadable_retention_is_a_flagged_placeholder_not_a_rejection(app):
    report = import_inventory(ocd_bytes([row(), row(name="x", retention="Varies")]), filename="ocd.csv")
    assert report.ok, report.summary()
    flagged = report.changes[-1]
    assert flagged.outcome == "flagged"
    assert [str(flag) for flag in flagged.flags] == [
        "Lifetime unknown in the Open Cookie Database (“Varies”): 13 months recorded as a placeholder, "
        "the longest the CNIL accepts; check it."
    ]
    assert (flagged.values["lifetime_unit"], flagged.values["lifetime_amount"]) == ("months", 13)


def test_the_whole_open_cookie_database_imports_with_every_row_accounted_for(app):
    ocd_file = open_cookie_database()
    data = ocd_file.read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))[1:]
    cookies_before = db.session.scalar(select(db.func.count()).select_from(Cookie))

    plan = import_inventory(data, filename=ocd_file.name)
    assert plan.format == "ocd" and not plan.problems
    assert plan.rows == len(rows) == 2264
    counts = plan.counts("cookie", implied=False)
    assert sum(counts.values()) == len(rows)
    outcomes = plan.outcomes()
    assert sum(outcomes.values()) == len(rows)
    # Nothing rejected: the rough rows are in, flagged for review (97 rejected before).
    assert plan.ok and outcomes["rejected"] == 0
    assert outcomes == {"created": 2164, "flagged": 98, "merged": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert {change.where.row for change in plan.changes if not change.implied} == set(range(2, len(rows) + 2))
    # One cookie per domain of a cell of several: the second domain's cookie is not a row.
    extra = [c for c in plan.changes if c.kind == "cookie" and c.implied]
    assert len(extra) == 10 and all(c.action == "create" and c.flags for c in extra)

    applied = import_inventory(data, filename=ocd_file.name, dry_run=False)
    assert applied.applied and applied.counts("cookie") == plan.counts("cookie")
    created = applied.counts("cookie")["create"]
    assert created == outcomes["created"] + outcomes["flagged"] + len(extra)
    assert db.session.scalar(select(db.func.count()).select_from(Cookie)) == cookies_before + created
    assert db.session.scalar(select(db.func.count()).select_from(Provider)) == 1 + applied.counts("provider")["create"]
    untranslated = db.session.scalars(select(Purpose.description_fr).where(Purpose.description_fr.like("[EN] %"))).all()
    assert len(untranslated) == applied.counts("purpose")["create"]
    flagged = db.session.scalars(select(Cookie).where(Cookie.notes.like("%To check before showing it on the policy:%")))
    flagged = flagged.all()
    assert len(flagged) == outcomes["flagged"] + len(extra)
    assert not any(cookie.shown_on_policy for cookie in flagged)

    again = import_inventory(data, filename=ocd_file.name)
    assert again.counts("cookie")["unchanged"] == created + outcomes["merged"]
    assert again.counts("cookie")["create"] == 0
    assert again.outcomes()["merged"] == outcomes["merged"]
