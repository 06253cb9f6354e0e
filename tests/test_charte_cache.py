"""The public charte is served from memory between changes, with HTTP validators, and is
never stale: what the visitor gets is always the inventory as last committed."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import public.cache as cache_module
from models import Cookie, InventoryState, db
from public.signal import ChangeSignal
from tests.helpers import fresh, make_cookie, row_named

CSP_NONCE = re.compile(r"'nonce-([^']+)'")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_cached_page_costs_at_most_two_statements(client, statements, lang):
    first = client.get(f"/{lang}/cookies")
    statements.clear()
    second = client.get(f"/{lang}/cookies")
    assert second.status_code == 200
    assert second.data == first.data
    assert len(statements) <= 2, statements


def test_a_logged_in_editor_gets_the_cached_page_too(editor_client, statements):
    """The logged-in user is not loaded for a public page, and the page says nothing of them."""
    anonymous = editor_client.application.test_client().get("/en/cookies")
    statements.clear()
    response = editor_client.get("/en/cookies")
    assert response.data == anonymous.data
    assert len(statements) <= 2, statements
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/fr/cookies", "/en/cookies"])
def test_the_page_varies_on_nothing_and_sets_no_cookie(client, path):
    for _ in range(2):  # rendered, then from memory
        response = client.get(path, headers={"Accept-Language": "de", "Cookie": "session=abc"})
        assert response.status_code == 200
        assert "Vary" not in response.headers
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "public, no-cache"


def test_each_response_gets_its_own_csp_nonce_and_the_page_uses_none(client):
    nonces = []
    for _ in range(3):
        response = client.get("/fr/cookies")
        nonce = CSP_NONCE.search(response.headers["Content-Security-Policy"]).group(1)
        assert nonce not in response.get_data(as_text=True)
        nonces.append(nonce)
        assert response.headers["X-Frame-Options"] == "DENY"
    assert len(set(nonces)) == 3


def test_etag_and_last_modified_answer_conditional_requests(client):
    response = client.get("/fr/cookies")
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    state = fresh().get(InventoryState, 1)
    assert f"-r{state.revision}-" in etag
    assert modified == state.changed_at.strftime("%a, %d %b %Y %H:%M:%S GMT")

    again = client.get("/fr/cookies", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert "Content-Security-Policy" in again.headers
    assert client.get("/fr/cookies", headers={"If-Modified-Since": modified}).status_code == 304
    # If-None-Match decides when both are sent (RFC 9110).
    assert (
        client.get("/fr/cookies", headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code
        == 200
    )
    # French and English pages are different resources.
    assert client.get("/en/cookies").headers["ETag"] != etag


def test_head_gives_the_headers_without_the_body(client):
    body = client.get("/fr/cookies").data
    head = client.head("/fr/cookies")
    assert head.status_code == 200
    assert head.data == b""
    assert int(head.headers["Content-Length"]) == len(body)


def test_an_edit_gives_the_new_page_and_a_new_etag_at_once(client):
    before = client.get("/en/cookies")
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    cookie.service_en = "Signing in, renamed"
    db.session.commit()
    after = client.get("/en/cookies", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert row_named(after.get_data(as_text=True), "sessionid")["service"] == "Signing in, renamed"
    assert after.headers["ETag"] != before.headers["ETag"]


def change_elsewhere(text):
    """What another process commits: this process has not seen the flush, only the revision
    it reads moves."""
    with db.engine.begin() as conn:
        conn.execute(Cookie.__table__.update().where(Cookie.name == "sessionid").values(service_fr=text))
        conn.execute(InventoryState.__table__.update().values(revision=InventoryState.__table__.c.revision + 1))


def service_shown(client):
    return row_named(client.get("/fr/cookies").get_data(as_text=True), "sessionid")["service"]


def test_a_cached_page_costs_no_statement_while_nothing_changed(client, statements):
    client.get("/fr/cookies")
    client.get("/fr/cookies")
    statements.clear()
    for _ in range(5):
        assert client.get("/fr/cookies").status_code == 200
    assert statements == []


def test_a_change_another_process_signals_is_seen_on_the_next_request(app, client):
    """A worker or the command line commits, then leaves new bytes in the shared signal file
    (its after_commit), before its own request returns."""
    client.get("/fr/cookies")
    client.get("/fr/cookies")
    change_elsewhere("Changé ailleurs")
    ChangeSignal(app.config["CHARTE_SIGNAL_FILE"]).bump()
    assert service_shown(client) == "Changé ailleurs"


def test_a_commit_outside_a_request_moves_the_signal(app):
    """A script or the command line (an application context, no request) tells the workers too."""
    signal = ChangeSignal(app.config["CHARTE_SIGNAL_FILE"])
    before = signal.read()
    db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one().service_fr = "Script"
    db.session.commit()
    assert signal.read() != before


def test_the_change_pipeline_is_bound_to_the_apps_session_only(app):
    """A session made by hand on the engine goes through none of it: no listener sits on
    SQLAlchemy's global Session class (inventory/changes.py)."""
    signal = ChangeSignal(app.config["CHARTE_SIGNAL_FILE"])
    before = signal.read()
    with Session(db.engine) as session:
        session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one().service_fr = "Hors application"
        session.commit()
    assert signal.read() == before


def test_a_failed_save_leaves_the_signal_alone(app):
    signal = ChangeSignal(app.config["CHARTE_SIGNAL_FILE"])
    before = signal.read()
    cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    cookie.service_fr = "Jamais enregistré"
    db.session.flush()
    db.session.rollback()
    assert signal.read() == before


def test_a_change_nobody_signals_is_seen_after_the_recheck_time(app, client, monkeypatch):
    """SQL by hand, or another host against the same database: read again at the latest
    CHARTE_RECHECK_SECONDS later (the clock is moved, not waited for)."""
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    monkeypatch.setitem(app.config, "CHARTE_RECHECK_SECONDS", 5.0)
    client.get("/fr/cookies")
    original = service_shown(client)
    change_elsewhere("Changé à la main")
    now[0] += 4.0
    assert service_shown(client) == original  # nobody said so, and it is not time yet
    now[0] += 1.5
    assert service_shown(client) == "Changé à la main"


def test_recheck_zero_reads_the_state_on_every_request(app, client, statements, monkeypatch):
    monkeypatch.setitem(app.config, "CHARTE_RECHECK_SECONDS", 0.0)
    client.get("/fr/cookies")
    statements.clear()
    client.get("/fr/cookies")
    assert len(statements) == 1
    change_elsewhere("Changé sans signal")
    assert service_shown(client) == "Changé sans signal"


def test_without_a_usable_signal_file_the_state_is_read_on_every_request(
    app, client, statements, monkeypatch, tmp_path, caplog
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setitem(app.config, "CHARTE_SIGNAL_FILE", str(blocked / "charte.signal"))
    client.get("/fr/cookies")
    assert "read the inventory state from the database on every request" in caplog.text
    statements.clear()
    client.get("/fr/cookies")
    assert len(statements) == 1
    change_elsewhere("Changé, fichier absent")
    assert service_shown(client) == "Changé, fichier absent"


def test_a_signal_file_deleted_and_made_again_is_followed(app, client, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    client.get("/fr/cookies")
    client.get("/fr/cookies")
    path = Path(app.config["CHARTE_SIGNAL_FILE"])
    path.unlink()
    now[0] += app.config["CHARTE_RECHECK_SECONDS"] + 0.1
    client.get("/fr/cookies")  # time to look again: the worker maps the new file
    change_elsewhere("Changé après nettoyage")
    ChangeSignal(str(path)).bump()  # a writer that opened the new file
    assert service_shown(client) == "Changé après nettoyage"


def test_another_host_gets_its_own_links_and_does_not_change_anyone_elses(client):
    client.get("/fr/cookies")
    evil = client.get("/fr/cookies", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert '<link rel="canonical" href="http://evil.example/fr/cookies">' in evil
    normal = client.get("/fr/cookies").get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/fr/cookies">' in normal
    assert "evil.example" not in normal


def test_the_bypass_header_is_ignored_unless_the_server_allows_it(app, client, statements):
    client.get("/fr/cookies")
    statements.clear()
    client.get("/fr/cookies", headers={"X-Charte-Cache-Bypass": "1"})
    assert len(statements) <= 2
    app.config["CHARTE_CACHE_BYPASS_HEADER"] = True
    try:
        statements.clear()
        response = client.get("/fr/cookies", headers={"X-Charte-Cache-Bypass": "1"})
        assert response.status_code == 200
        assert len(statements) > 2  # rendered again
    finally:
        app.config["CHARTE_CACHE_BYPASS_HEADER"] = False


def test_a_new_cookie_is_listed_on_the_next_request(client):
    client.get("/en/cookies")
    make_cookie(name="brand_new")
    assert row_named(client.get("/en/cookies").get_data(as_text=True), "brand_new")


def test_behind_a_proxy_the_forwarded_host_is_used_from_memory_too(app):
    from app import create_app
    from tests.conftest import app_config

    proxied = create_app(app_config(app.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=1))
    client = proxied.test_client()
    headers = {"X-Forwarded-Host": "charte.example.org", "X-Forwarded-Proto": "https"}
    try:
        for _ in range(2):  # rendered, then from memory
            html = client.get("/en/cookies", headers=headers).get_data(as_text=True)
            assert '<link rel="canonical" href="https://charte.example.org/en/cookies">' in html
    finally:
        with proxied.app_context():
            db.engine.dispose()
