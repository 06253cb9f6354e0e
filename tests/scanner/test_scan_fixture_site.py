"""A real scan of the fixture site (tests/scan_site.py) in Chromium: each cookie, storage key
and pixel found with the right party, kind, lifetime and scenario; the never-loading page
skipped; the redirect to an internal address refused; the banner clicked."""

import pytest

from scanner.addresses import Resolver
from scanner.engine import ScanFailed, ScanOptions, scan
from tests.scanner.conftest import fixture_resolver
from tests.scanner.observations import OBSERVED

DAY = 86400


def items_of(result):
    return {(i["kind"], i["name"]): i for i in result["items"]}


def test_every_cookie_and_storage_key_is_found_with_its_facts(observed):
    items = items_of(observed)
    sid = items["http_cookie", "sid"]
    assert (sid["party"], sid["http_only"], sid["lifetime_seconds"], sid["domain"]) == (
        "first",
        True,
        None,
        "site.localhost",
    )
    ui = items["http_cookie", "ui_lang"]
    assert ui["party"] == "first" and not ui["http_only"] and abs(ui["lifetime_seconds"] - 30 * DAY) < 120
    trk = items["http_cookie", "trk_uid"]
    assert (trk["party"], trk["domain"], trk["secure"], trk["same_site"]) == (
        "third",
        "tracker.localhost",
        True,
        "None",
    )
    assert abs(trk["lifetime_seconds"] - 390 * DAY) < 120
    assert items["local_storage", "theme"]["party"] == "first"
    assert ("session_storage", "visit") in items and ("indexed_db", "offline-cache") in items
    pixel = items["pixel", "tracker.localhost"]
    assert pixel["party"] == "third"
    assert [h["host"] for h in observed["hosts"]] == ["127.0.0.2", "tracker.localhost"]


def test_each_item_is_seen_in_the_scenarios_that_set_it(observed):
    items = items_of(observed)
    everywhere = {"none", "refuse", "accept"}
    assert set(items["http_cookie", "_gcl_au"]["seen"]) == everywhere  # set before any choice
    assert set(items["http_cookie", "_pk_id.1"]["seen"]) == {"accept"}  # the statistics cookie
    assert abs(items["http_cookie", "_pk_id.1"]["lifetime_seconds"] - 395 * DAY) < DAY
    assert set(items["http_cookie", "consent"]["seen"]) == {"refuse", "accept"}
    assert [(s["key"], s["status"]) for s in observed["scenarios"]] == [
        ("none", "done"),
        ("refuse", "done"),
        ("accept", "done"),
    ]
    assert observed["scenarios"][2]["button"] == '#cc-main .cm__btn[data-role="all"]'


def test_the_stored_observations_the_other_tests_use_are_what_a_scan_gives(observed):
    real = {(i["kind"], i["name"], i["domain"], i["party"], frozenset(i["seen"])) for i in observed["items"]}
    stored = {(i["kind"], i["name"], i["domain"], i["party"], frozenset(i["seen"])) for i in OBSERVED["items"]}
    assert stored == real


def test_a_page_that_never_loads_is_skipped_with_a_note_and_internal_redirects_are_refused(observed):
    pages = {p["url"].split("/", 3)[3]: p for p in observed["pages"]}
    assert pages["slow"]["status"] == "timeout" and "4 s" in pages["slow"]["note"]["en"]
    assert pages["to-private"]["status"] == "error"
    assert [r["host"] for r in observed["refused"]] == ["127.0.0.2"]
    assert pages[""]["status"] == "ok" and pages["about"]["status"] == "ok" and pages["pages/1"]["status"] == "ok"
    assert len(observed["pages"]) == 8  # the page limit


def test_progress_is_reported_page_by_page(observed):
    progress = observed["progress"]
    assert progress[0]["scenario"] == "none" and progress[0]["done"] == 0
    assert progress[-1]["scenario"] == "accept" and progress[-1]["done"] < progress[-1]["total"]
    assert {p["current"] for p in progress} >= {p["url"] for p in observed["pages"] if p["status"] == "ok"}


def test_a_private_address_is_refused_before_the_browser_starts(chromium, fixture_site):
    with pytest.raises(ScanFailed, match="SCANNER_ALLOWED_NETWORKS"):
        scan(
            ScanOptions(url=fixture_site.replace("site.localhost", "127.0.0.1"), chromium=chromium, resolver=Resolver())
        )


def test_a_banner_button_not_found_is_reported_not_treated_as_refused(chromium, fixture_site):
    result = scan(
        ScanOptions(
            url=fixture_site,
            max_pages=2,
            page_timeout=4,
            scenarios=("refuse",),
            refuse_selector="#no-such-button",
            chromium=chromium,
            resolver=fixture_resolver(),
        )
    )
    assert result["scenarios"] == [{"key": "refuse", "status": "button_not_found", "button": None, "pages": 0}]
    assert result["items"] == []  # nothing is reported as what "refuse" does


def test_the_site_own_selectors_are_used_when_given(chromium, fixture_site):
    result = scan(
        ScanOptions(
            url=fixture_site,
            max_pages=1,
            scenarios=("accept",),
            accept_selector="#cc-main button[data-role=all]",
            chromium=chromium,
            resolver=fixture_resolver(),
        )
    )
    assert result["scenarios"][0]["button"] == "#cc-main button[data-role=all]"
    assert ("http_cookie", "_pk_id.1") in items_of(result)


def test_the_time_limit_stops_the_scan_and_says_so(chromium, fixture_site):
    result = scan(
        ScanOptions(
            url=fixture_site, max_pages=30, time_limit=6, page_timeout=4, chromium=chromium, resolver=fixture_resolver()
        )
    )
    statuses = [s["status"] for s in result["scenarios"]]
    assert "time_limit" in statuses and statuses[0] in ("done", "time_limit")
    assert any("6 s" in note["en"] for note in result["notes"])
    assert any(p["status"] == "not_visited" for p in result["pages"])
