"""The Scans page: start a scan (checked form, one at a time), follow it, read the result by
section, add undeclared items to the draft through the importer's preview with history, mark
not-seen cookies as reviewed. Viewers read, editors act."""

import re

import pytest
from sqlalchemy import select

from models import ChangeSet, Cookie, Scan
from models.scan import QUEUED
from tests.helpers import count, flashes, fresh, html_of, visible_text
from tests.scanner.observations import stored_scan


def _start(client, **data):
    form = {
        "url": "http://93.184.215.14/",
        "max_pages": "5",
        "scenarios": ["none", "refuse", "accept"],
        "csrf_token": client.csrf,
    }
    form.update(data)
    return client.post("/admin/scans/start", data=form)


def test_an_editor_queues_a_scan_and_sees_it_waiting(editor_client):
    response = _start(editor_client)
    assert response.status_code == 302
    scan_row = fresh().scalars(select(Scan)).one()
    assert (scan_row.status, scan_row.requested_by, scan_row.options["max_pages"]) == (QUEUED, "editor@example.com", 5)
    page = editor_client.get(response.headers["Location"])
    text = visible_text(page)
    assert "Waiting for the scan worker" in text or "En attente" in text
    assert '<meta http-equiv="refresh" content="3">' in html_of(page)


def test_one_scan_at_a_time(editor_client):
    _start(editor_client)
    response = _start(editor_client)
    assert count(Scan) == 1
    assert any(
        "already under way" in text or "déjà en cours" in text
        for _, text in flashes(editor_client.get(response.headers["Location"]))
    )


def test_bad_requests_are_refused_next_to_their_field_and_nothing_is_queued(editor_client):
    for data, message in [
        ({"url": "ftp://example.org/"}, ("Only http and https", "Seules les adresses http et https")),
        ({"url": "http://10.0.0.1/"}, ("SCANNER_ALLOWED_NETWORKS",) * 2),
        ({"max_pages": "many"}, ("Écrivez un nombre entier", "Write a whole number")),
        ({"max_pages": "0"}, ("1 à 200", "1 to 200")),
        ({"max_pages": "500"}, ("200", "200")),
        ({"scenarios": []}, ("at least one scenario", "au moins un scénario")),
        ({"accept_selector": "a\nb"}, ("one line", "une seule ligne")),
    ]:
        response = _start(editor_client, **data)
        assert response.status_code == 400, data
        assert any(m in visible_text(response) for m in message), (data, visible_text(response)[:300])
    assert count(Scan) == 0


def test_viewers_read_scans_but_cannot_start_one(app, viewer_client):
    scan_row = stored_scan(app)
    page = viewer_client.get("/admin/scans/")
    assert (
        page.status_code == 200
        and "Start the scan" not in visible_text(page)
        and "Lancer le scan" not in visible_text(page)
    )
    assert viewer_client.get(f"/admin/scans/{scan_row.id}").status_code == 200
    assert _start(viewer_client).status_code == 403


def test_the_result_reads_by_section_with_the_violation_first(app, editor_client):
    scan_row = stored_scan(app)
    page = visible_text(editor_client.get(f"/admin/scans/{scan_row.id}?show=violations"))
    # The sample inventory declares none of the fixture's cookies: _gcl_au is a violation
    # through the Open Cookie Database's category (Google, marketing).
    assert "_gcl_au" in page and "Google" in page
    undeclared = visible_text(editor_client.get(f"/admin/scans/{scan_row.id}?show=undeclared&scenario=accept"))
    assert "_pk_id.1" in undeclared and "Piwik" in undeclared
    refused_only = visible_text(editor_client.get(f"/admin/scans/{scan_row.id}?show=undeclared&scenario=refuse"))
    assert "_pk_id.1" not in refused_only and "consent" in refused_only
    not_seen = visible_text(editor_client.get(f"/admin/scans/{scan_row.id}?show=not_seen"))
    assert "sessionid" in not_seen and "csrftoken" in not_seen
    history = visible_text(editor_client.get("/admin/scans/"))
    assert "editor@example.com" in history and scan_row.url in history


def test_selected_undeclared_items_are_added_to_the_draft_after_a_preview(app, editor_client):
    scan_row = stored_scan(app)
    keys = ["http_cookie|_gcl_au|site.localhost", "local_storage|theme|site.localhost"]
    before = count(Cookie)
    preview = editor_client.post(
        f"/admin/scans/{scan_row.id}/add",
        data={"items": keys, "category": "preferences", "shown": "0", "csrf_token": editor_client.csrf},
    )
    assert preview.status_code == 200 and count(Cookie) == before  # a preview writes nothing
    html = html_of(preview)
    assert "_gcl_au" in visible_text(preview) and "theme" in visible_text(preview)
    revision = html.split('name="revision" value="')[1].split('"')[0]
    done = editor_client.post(
        f"/admin/scans/{scan_row.id}/add/confirm",
        data={
            "items": keys,
            "category": "preferences",
            "shown": "0",
            "revision": revision,
            "csrf_token": editor_client.csrf,
        },
    )
    assert done.status_code == 302
    session = fresh()
    gcl = session.scalars(select(Cookie).where(Cookie.name == "_gcl_au")).one()
    theme = session.scalars(select(Cookie).where(Cookie.name == "theme")).one()
    # The database's suggestion (Google, marketing) and the observed lifetime (90 days).
    assert (gcl.provider.name, gcl.category.key, gcl.lifetime_unit, gcl.lifetime_amount) == (
        "Google",
        "marketing",
        "days",
        90,
    )
    assert (gcl.domain, gcl.party, gcl.shown_on_policy) == ("site.localhost", "first", False)
    assert f"scan {scan_row.id}" in gcl.notes.lower() or f"scan {scan_row.id}" in gcl.notes
    # Unknown to the database: "to classify", in the editor's category, as local storage.
    assert (theme.category.key, theme.storage_kind, theme.purposes[0].description_en) == (
        "preferences",
        "local_storage",
        "To classify: found by the site scan",
    )
    change = session.scalars(select(ChangeSet).order_by(ChangeSet.id.desc())).first()
    assert (change.source, change.user_email) == ("scan", "editor@example.com")


def test_adding_after_the_inventory_changed_asks_for_a_new_preview(app, editor_client):
    scan_row = stored_scan(app)
    response = editor_client.post(
        f"/admin/scans/{scan_row.id}/add/confirm",
        data={
            "items": ["http_cookie|ui_lang|site.localhost"],
            "category": "preferences",
            "shown": "0",
            "revision": "-1",
            "csrf_token": editor_client.csrf,
        },
    )
    assert response.status_code == 302 and count(Cookie, Cookie.name == "ui_lang") == 0


def test_not_seen_cookies_are_marked_reviewed_with_who(app, editor_client):
    scan_row = stored_scan(app)
    cookie_id = str(scan_row.result["not_seen"][0]["cookie_id"])
    editor_client.post(
        f"/admin/scans/{scan_row.id}/reviewed",
        data={"cookies": [cookie_id, "999999"], "csrf_token": editor_client.csrf},
    )
    reviewed = fresh().get(Scan, scan_row.id).reviewed
    assert list(reviewed) == [cookie_id] and reviewed[cookie_id]["by"] == "editor@example.com"
    text = visible_text(editor_client.get(f"/admin/scans/{scan_row.id}?show=not_seen"))
    assert "Vérifié par editor@example.com" in text  # the back office speaks French by default


def test_the_history_shows_what_changed_since_the_previous_scan(app, editor_client):
    first = stored_scan(app)
    later = dict(first.result)
    stored_scan(app)
    text = visible_text(editor_client.get("/admin/scans/"))
    assert "0 new undeclared" in text or "0 nouveau non déclaré" in text
    assert later


def test_the_publication_page_warns_of_the_last_scan_s_violations_without_blocking(app, publisher_client):
    scan_row = stored_scan(app)
    page = publisher_client.get("/admin/publication/")
    text = visible_text(page)
    assert "« _gcl_au » (site.localhost)" in text
    html = html_of(page)
    assert f"/admin/scans/{scan_row.id}?show=violations" in html
    # The same words as on the Compliance page: a scan is seen, not fixed.
    link = re.search(r'<a class="alert-link" href="/admin/scans/[^"]+">([^<]+)</a>', html)
    assert link.group(1) == "Voir le scan"
    from inventory.publication.versions import prepare

    findings = [f for f in prepare(fresh()).findings if f.rule == "scan-consent-violation"]
    assert [f.severity for f in findings] == ["warning"]


def test_the_compliance_page_lists_the_last_scan_s_violations_with_their_legal_source(app, viewer_client):
    scan_row = stored_scan(app)
    page = viewer_client.get("/admin/compliance/?rule=scan-consent-violation")
    html = html_of(page)
    findings = re.findall(r'<li class="alert[^"]*" data-rule="([^"]+)">(.*?)</li>', html, re.S)
    assert [rule for rule, _ in findings] == ["scan-consent-violation"]
    text = visible_text(findings[0][1])
    assert "_gcl_au" in text and "délibération 2020-091" in text
    assert "See the scan" in text or "Voir le scan" in text
    assert f"/admin/scans/{scan_row.id}?show=violations" in findings[0][1]
    # The rule filter offers it with its count.
    assert "scan-consent-violation (1)" in visible_text(viewer_client.get("/admin/compliance/"))


@pytest.mark.parametrize(
    ("lang", "seconds", "text"),
    [
        ("fr", None, "Session"),
        ("fr", 7200, "2 h"),
        ("fr", 86400, "1 jour"),
        ("fr", 86400 * 400, "400 jours"),
        ("en", 86400, "1 day"),
        ("en", 86400 * 2167, "2,167 days"),
    ],
)
def test_an_observed_lifetime_reads_in_words(app, lang, seconds, text):
    from admin.scans import lifetime_text
    from rules.language import force_language

    with app.test_request_context("/"), force_language(lang):
        assert lifetime_text(seconds) == text
