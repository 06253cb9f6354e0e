"""What the scan saw against the inventory: declared, undeclared, mismatch, not seen, and
consent violations (pure rules, no database)."""

import copy

from scanner.compare import Declared, compare, domain_matches, name_matcher
from tests.scanner.observations import OBSERVED

DAY_MINUTES = 1440


def declared(id, name, *, kind="http_cookie", domain="", party="first", days=None, consent=False, pattern=False):
    return Declared(
        id=id,
        name=name,
        is_pattern=pattern,
        domain=domain,
        party=party,
        storage_kind=kind,
        lifetime_minutes=None if days is None else days * DAY_MINUTES,
        consent_required=consent,
        label=name,
    )


def by_name(comparison):
    return {item["name"]: item for item in comparison["items"]}


def test_each_observed_item_is_declared_undeclared_or_a_mismatch():
    inventory = [
        declared(1, "sid"),  # session, first party: as seen
        declared(2, "ui_lang", days=7),  # seen living 30 days: beyond the tolerance
        declared(3, "trk_uid", domain="tracker.localhost", party="first", days=400, consent=True),  # seen third party
        declared(4, "theme", kind="session_storage"),  # seen in localStorage
        declared(5, "_pk_id.*", days=395, consent=True),  # a pattern, seen after "accept" only
        declared(6, "old_cookie", days=30),  # never seen
    ]
    result = compare(copy.deepcopy(OBSERVED), inventory)
    items = by_name(result)
    assert items["sid"]["status"] == "declared" and items["sid"]["cookie_id"] == 1
    assert (items["ui_lang"]["status"], items["ui_lang"]["problems"]) == ("mismatch", ["lifetime"])
    assert (items["trk_uid"]["status"], items["trk_uid"]["problems"]) == ("mismatch", ["party"])
    assert (items["theme"]["status"], items["theme"]["problems"]) == ("mismatch", ["storage_kind"])
    assert items["_pk_id.1"]["status"] == "declared"
    assert items["visit"]["status"] == "undeclared"
    assert result["not_seen"] == [6]
    assert result["counts"] == {"declared": 2, "mismatch": 3, "undeclared": 5, "violations": 1, "not_seen": 1}


def test_a_consent_cookie_seen_before_a_choice_or_after_refusing_is_a_violation():
    inventory = [
        declared(1, "_gcl_au", days=90, consent=True),  # set at once: a violation in both scenarios
        declared(2, "_pk_id.", days=395, consent=True, pattern=True),  # after "accept" only: fine
        declared(3, "sid"),  # needs no consent
    ]
    items = by_name(compare(copy.deepcopy(OBSERVED), inventory))
    assert items["_gcl_au"]["violation"] == ["none", "refuse"]
    assert items["_pk_id.1"]["violation"] == []
    assert items["sid"]["violation"] == []


def test_an_undeclared_item_takes_the_suggested_category_for_the_violation():
    def suggest(name, domain):
        return {"category": "marketing", "consent_required": True} if name == "_gcl_au" else None

    items = by_name(compare(copy.deepcopy(OBSERVED), [], suggest))
    assert items["_gcl_au"]["status"] == "undeclared" and items["_gcl_au"]["violation"] == ["none", "refuse"]
    assert items["ui_lang"]["suggestion"] is None and items["ui_lang"]["violation"] == []


def test_a_lifetime_within_the_tolerance_is_not_a_mismatch():
    # Seen 30 days: declared 28 days is within 10% and a day; declared session is not.
    assert (
        by_name(compare(copy.deepcopy(OBSERVED), [declared(1, "ui_lang", days=28)]))["ui_lang"]["status"] == "declared"
    )
    assert by_name(compare(copy.deepcopy(OBSERVED), [declared(1, "ui_lang")]))["ui_lang"]["problems"] == ["lifetime"]


def test_names_match_exactly_or_by_pattern():
    assert name_matcher("_ga_*", False)("_ga_ABC123")
    assert not name_matcher("_ga_*", False)("_gat")
    assert name_matcher("_hj", True)("_hjSession_1")
    assert name_matcher("a.b[1]", False)("a.b[1]") and not name_matcher("a.b[1]", False)("axb[1]")
    assert name_matcher("x*y", False)("x--y") and not name_matcher("x*y", False)("x--yz")


def test_domains_match_with_a_leading_dot_subdomains_and_the_site_itself():
    assert domain_matches(".example.org", "www.example.org", "example.org")
    assert domain_matches("example.org", ".example.org", "example.org")
    assert domain_matches("", "shop.example.org", "example.org")  # "" is the site itself
    assert not domain_matches("", "tracker.net", "example.org")
    assert not domain_matches("example.org", "badexample.org", "example.org")


def test_a_pixel_is_declared_by_its_host():
    inventory = [declared(1, "Pixel", kind="pixel", domain="tracker.localhost", party="third")]
    items = {i["kind"]: i for i in compare(copy.deepcopy(OBSERVED), inventory)["items"]}
    assert items["pixel"]["status"] == "declared"
    other = [declared(1, "Pixel", kind="pixel", domain="ads.example.net", party="third")]
    items = {i["kind"]: i for i in compare(copy.deepcopy(OBSERVED), other)["items"]}
    assert items["pixel"]["status"] == "undeclared"
