"""The public charte is served from memory between publications, with HTTP validators, and is
never stale: what the visitor gets is always the version last published, whichever process
published it; an edit not yet published changes nothing public."""

import gzip
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import public.cache as cache_module
from app import create_app
from inventory.publication.versions import current_version
from models import Cookie, db
from public.signal import ChangeSignal
from tests.conftest import app_config
from tests.helpers import fresh, make_cookie, publish_draft, row_named

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
def test_the_page_varies_on_its_encoding_only_and_sets_no_cookie(client, path):
    plain = client.get(path).data
    for _ in range(2):  # rendered, then from memory
        response = client.get(path, headers={"Accept-Language": "de", "Cookie": "session=abc"})
        assert response.status_code == 200
        assert response.data == plain  # the visitor's language and cookies change nothing
        assert "Content-Encoding" not in response.headers
        assert response.headers["Vary"] == "Accept-Encoding"
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "public, no-cache"
        packed = client.get(path, headers={"Accept-Encoding": "gzip", "Cookie": "session=abc"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert packed.headers["Vary"] == "Accept-Encoding"
        assert packed.headers["ETag"] == response.headers["ETag"][:-1] + '-gzip"'
        assert "Set-Cookie" not in packed.headers
        assert gzip.decompress(packed.data) == plain


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
    version = current_version(fresh())
    assert re.fullmatch(rf'"charte-fr-v{version.number}-[0-9a-f]+"', etag), etag
    assert modified == version.published_at.strftime("%a, %d %b %Y %H:%M:%S GMT")

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


def test_an_edit_changes_nothing_until_published_then_the_new_page_and_etag_come_at_once(client):
    before = client.get("/en/cookies")
    cookie = fresh().scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    cookie.service_en = "Signing in, renamed"
    db.session.commit()
    unpublished = client.get("/en/cookies", headers={"If-None-Match": before.headers["ETag"]})
    assert unpublished.status_code == 304
    assert client.get("/en/cookies").data == before.data

    publish_draft()
    after = client.get("/en/cookies", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert row_named(after.get_data(as_text=True), "sessionid")["service"] == "Signing in, renamed"
    assert after.headers["ETag"] != before.headers["ETag"]


@pytest.fixture
def elsewhere(app, tmp_path):
    """Another process on the same database (a worker, the command line), with its own page
    cache: ``elsewhere(signal_file)`` gives a function that makes it change sessionid's French
    service and publish. It tells the host through ``signal_file``: this app's file for a
    process of this host, another file for a process nobody here listens to (SQL by hand,
    another host)."""
    made = []

    def process(signal_file=None):
        signal_file = signal_file or tmp_path / "another-host.signal"
        other = create_app(app_config(app.config["SQLALCHEMY_DATABASE_URI"], CHARTE_SIGNAL_FILE=str(signal_file)))
        made.append(other)

        def change_and_publish(text):
            with other.app_context():
                cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
                cookie.service_fr = text
                db.session.commit()
                publish_draft(f"Service de sessionid : {text}")

        return change_and_publish

    yield process
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def recheck_every(app, monkeypatch, seconds):
    """CHARTE_RECHECK_SECONDS for this test, as a worker started with it has it: the page cache
    outlives the test's app, and the middleware reads the state with the delay it was last given."""
    monkeypatch.setitem(app.config, "CHARTE_RECHECK_SECONDS", seconds)
    monkeypatch.setattr(cache_module.page_cache(app), "recheck", seconds)


def service_shown(client):
    return row_named(client.get("/fr/cookies").get_data(as_text=True), "sessionid")["service"]


def test_a_cached_page_costs_no_statement_while_nothing_changed(client, statements):
    client.get("/fr/cookies")
    client.get("/fr/cookies")
    statements.clear()
    for _ in range(5):
        assert client.get("/fr/cookies").status_code == 200
    assert statements == []


def test_a_publication_another_process_signals_is_seen_on_the_next_request(app, client, monkeypatch, elsewhere):
    """A worker or the command line publishes, then leaves new bytes in the shared signal file,
    before its own request returns."""
    publish = elsewhere(app.config["CHARTE_SIGNAL_FILE"])
    recheck_every(app, monkeypatch, 60.0)  # the signal, not the clock, tells
    signal = ChangeSignal(app.config["CHARTE_SIGNAL_FILE"])
    client.get("/fr/cookies")
    original = service_shown(client)
    before = signal.read()
    publish("Changé ailleurs")
    assert signal.read() != before
    assert service_shown(client) == "Changé ailleurs"
    assert service_shown(client) != original


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


def test_a_publication_nobody_signals_is_seen_after_the_recheck_time(app, client, monkeypatch, elsewhere):
    """Another host against the same database: read again at the latest
    CHARTE_RECHECK_SECONDS later (the clock is moved, not waited for)."""
    publish = elsewhere()
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    recheck_every(app, monkeypatch, 5.0)
    client.get("/fr/cookies")
    original = service_shown(client)
    publish("Changé sur un autre hôte")
    now[0] += 4.0
    assert service_shown(client) == original  # nobody said so, and it is not time yet
    now[0] += 1.5
    assert service_shown(client) == "Changé sur un autre hôte"


def test_recheck_zero_reads_the_state_on_every_request(app, client, statements, monkeypatch, elsewhere):
    publish = elsewhere()
    recheck_every(app, monkeypatch, 0.0)
    client.get("/fr/cookies")
    statements.clear()
    client.get("/fr/cookies")
    assert len(statements) == 1
    publish("Changé sans signal")
    assert service_shown(client) == "Changé sans signal"


def test_without_a_usable_signal_file_the_state_is_read_on_every_request(
    app, client, statements, monkeypatch, tmp_path, caplog, elsewhere
):
    publish = elsewhere()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setitem(app.config, "CHARTE_SIGNAL_FILE", str(blocked / "charte.signal"))
    client.get("/fr/cookies")
    assert "read the inventory state from the database on every request" in caplog.text
    statements.clear()
    client.get("/fr/cookies")
    assert len(statements) == 1
    publish("Changé, fichier absent")
    assert service_shown(client) == "Changé, fichier absent"


def test_a_signal_file_deleted_and_made_again_is_followed(app, client, monkeypatch, elsewhere):
    publish = elsewhere()  # tells nobody: the bump below is the writer that opened the new file
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    recheck_every(app, monkeypatch, 1.0)
    client.get("/fr/cookies")
    client.get("/fr/cookies")
    path = Path(app.config["CHARTE_SIGNAL_FILE"])
    path.unlink()
    now[0] += app.config["CHARTE_RECHECK_SECONDS"] + 0.1
    client.get("/fr/cookies")  # time to look again: the worker maps the new file
    original = service_shown(client)
    publish("Changé après nettoyage")
    assert service_shown(client) == original  # not signalled yet, and not time to look again
    ChangeSignal(str(path)).bump()  # a writer that opened the new file
    assert service_shown(client) == "Changé après nettoyage"


def test_the_page_is_the_same_whatever_the_host_and_its_links_are_relative(client):
    evil = client.get("/fr/cookies", headers={"Host": "evil.example"})
    normal = client.get("/fr/cookies")
    assert evil.status_code == normal.status_code == 200
    assert evil.data == normal.data
    assert evil.headers["ETag"] == normal.headers["ETag"]
    html = normal.get_data(as_text=True)
    assert '<link rel="canonical" href="/fr/cookies">' in html
    assert '<link rel="alternate" hreflang="en" href="/en/cookies">' in html
    assert "evil.example" not in html and "localhost" not in html
    assert client.get("/fr/cookies", headers={"Host": "evil.example"}).data == normal.data  # from memory


def test_the_bypass_header_is_ignored_unless_the_server_allows_it(app, client, statements):
    client.get("/fr/cookies")
    statements.clear()
    client.get("/fr/cookies", headers={"X-Charte-Cache-Bypass": "1"})
    assert len(statements) == 0  # served from memory
    app.config["CHARTE_CACHE_BYPASS_HEADER"] = True
    try:
        statements.clear()
        response = client.get("/fr/cookies", headers={"X-Charte-Cache-Bypass": "1"})
        assert response.status_code == 200
        assert len(statements) >= 2  # the version and its stored page read again
    finally:
        app.config["CHARTE_CACHE_BYPASS_HEADER"] = False


def test_a_new_cookie_is_listed_on_the_next_request_once_published(client):
    client.get("/en/cookies")
    make_cookie(name="brand_new")
    assert "brand_new" not in client.get("/en/cookies").get_data(as_text=True)
    publish_draft("Nouveau cookie")
    assert row_named(client.get("/en/cookies").get_data(as_text=True), "brand_new")


def test_behind_a_proxy_the_forwarded_host_changes_nothing_either(app, tmp_path):
    proxied = create_app(
        app_config(
            app.config["SQLALCHEMY_DATABASE_URI"],
            TRUSTED_PROXIES=1,
            CHARTE_SIGNAL_FILE=str(tmp_path / "proxied.signal"),
        )
    )
    client = proxied.test_client()
    try:
        plain = client.get("/en/cookies").data
        for host in ("charte.example.org", "other.example.org"):  # from memory
            response = client.get("/en/cookies", headers={"X-Forwarded-Host": host, "X-Forwarded-Proto": "https"})
            assert response.data == plain
            html = response.get_data(as_text=True)
            assert '<link rel="canonical" href="/en/cookies">' in html
            assert host not in html
    finally:
        with proxied.app_context():
            db.session.remove()
            db.engine.dispose()
