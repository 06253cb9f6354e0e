"""The policy with the whole Open Cookie Database on it (about 2,170 cookies): every column on
screen at 1,280 px and on a phone whatever the names, a filter that finds a cookie (the page
reads the same without JavaScript), and a print that fits A4 and Letter."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from inventory.importing import import_inventory
from models import Cookie, db
from tests.helpers import open_cookie_database

# The layout does not depend on the database: one backend is enough for these slow pages.
pytestmark = pytest.mark.only_on("sqlite")

LONGEST_NAME = "a_cookie_name_of_forty_three_characters_xyz"


@pytest.fixture
def large_policy(app):
    ocd_file = open_cookie_database()
    report = import_inventory(ocd_file.read_bytes(), filename=ocd_file.name, dry_run=False, skip_invalid=True)
    assert report.applied
    from tests.helpers import make_cookie, publish_draft

    make_cookie(name=LONGEST_NAME, domain="a.very.long.subdomain.of.some.tracking.example.com")
    db.session.execute(update(Cookie).values(shown_on_policy=True))
    db.session.commit()
    # The database has no French: its texts come marked "[EN] ", which no publication lets
    # through. Here, where only the layout at size matters, they stand as translated.
    from sqlalchemy import func

    from models import Purpose
    from rules.language import UNTRANSLATED

    for column in (Cookie.service_fr, Purpose.description_fr):
        db.session.execute(update(column.class_).values({column: func.replace(column, UNTRANSLATED, "")}))
    db.session.commit()
    count = db.session.query(Cookie).count()
    publish_draft("La base Open Cookie Database entière")
    return count


def widest_table(page):
    return page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('table.cookies')]"
        ".map(t => t.scrollWidth - t.parentElement.clientWidth))"
    )


def test_every_column_is_on_screen_at_1280_and_on_a_phone(browser, live_server, large_policy, artifacts):
    for viewport, mobile in (({"width": 1280, "height": 900}, False), ({"width": 390, "height": 844}, True)):
        context = browser.new_context(viewport=viewport, is_mobile=mobile)
        page = context.new_page()
        page.goto(live_server + "/fr/cookies")
        assert widest_table(page) <= 0, f"a table overflows at {viewport['width']} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.locator("code", has_text=LONGEST_NAME).scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"charte-large-{viewport['width']}.png"))
        context.close()


def test_the_filter_finds_a_cookie_and_the_page_reads_without_javascript(browser, live_server, large_policy):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/en/cookies")
    expect(page.locator("[data-cookie-filter]")).to_be_hidden()
    assert page.locator("table.cookies tbody tr").count() == large_policy
    context.close()

    page = browser.new_page()
    page.goto(live_server + "/en/cookies")
    page.get_by_label("Find a cookie (name, provider, purpose)").fill(LONGEST_NAME)
    expect(page.locator(".filter-status")).to_have_text("1 cookie matches.")
    expect(page.locator("table.cookies tbody tr:visible")).to_have_count(1)
    # The choices are one link away from the top.
    page.get_by_role("link", name="How to accept, refuse or withdraw your consent").click()
    expect(page.locator("#choices")).to_be_in_viewport()
    page.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_printed_policy_keeps_every_column_and_fits_150_pages(browser, live_server, large_policy, artifacts, paper):
    page = browser.new_page()
    page.goto(live_server + "/fr/cookies")
    page.emulate_media(media="print")
    assert widest_table(page) <= 0, "a table loses columns in print"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('table.cookies thead')).display") == "table-header-group"
    )
    pdf = page.pdf(format=paper, margin={"top": "1cm", "bottom": "1cm", "left": "1cm", "right": "1cm"})
    (artifacts / f"charte-large-{paper}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 20 < pages <= 150, f"{pages} pages on {paper}"
    page.close()
