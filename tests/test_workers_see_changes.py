"""Two gunicorn workers, each with its own page cache: a publication made by another process
(this one, the command line, a worker answering the back office) is served by both on their
very next request; an edit not yet published is served by neither."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
EDITOR, PASSWORD = "workers@example.com", "workers test password 42"
PUBLISHER = "workers-publisher@example.com"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    # A new connection per request, so that the workers share them out.
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def signal_file(tmp_path):
    return str(tmp_path / "charte.signal")


@pytest.fixture
def server_env():
    """Extra environment for the gunicorn server (a test may override this fixture)."""
    return {}


@pytest.fixture
def database(tmp_path, signal_file):
    """A seeded SQLite database, its sample published as version 1 (as ``flask setup`` does),
    and an application (in this process) to edit it."""
    from app import create_app
    from inventory.publication.versions import ensure_first_version
    from inventory.seed import load_seed
    from models import db
    from tests.conftest import FAST_PASSWORD_HASHING

    # A file in the test's own folder: no other test, and no other run, shares it.
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "workers-test",
            "SECURITY_PASSWORD_SALT": "workers-salt",
            "CHARTE_SIGNAL_FILE": signal_file,
            # The editor's account is made cheaply; the workers (production settings) check it.
            "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": dict(FAST_PASSWORD_HASHING),
        }
    )
    with app.app_context():
        db.create_all()
        load_seed()
        db.session.commit()
        assert ensure_first_version(db.session).number == 1
        from account.users import create_user

        create_user(EDITOR, PASSWORD, "editor")
        create_user(PUBLISHER, PASSWORD, "publisher")
        db.session.commit()
        yield url
        db.session.remove()
        db.engine.dispose()


def start_gunicorn(env, log):
    """gunicorn on a free port; (process, base URL) once it answers. The port is free when
    chosen, but another run on the host may take it before gunicorn binds it: then again on
    another port."""
    for _attempt in range(3):
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "gunicorn.conf.py",
                    "--access-logformat",
                    "%(p)s %(s)s %(U)s",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env={**env, "PORT": str(port)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(base + "/fr/cookies")
                return process, base
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        process.terminate()
        process.wait(timeout=30)
        output = log.read_text(errors="replace")
        if "Address already in use" not in output:
            break
    pytest.fail("gunicorn did not start:\n" + output)


@pytest.fixture
def server(database, tmp_path, signal_file, server_env):
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        **server_env,
        "DATABASE_URL": database,
        "CHARTE_SIGNAL_FILE": signal_file,
        "SECRET_KEY": "workers-test",
        "SECURITY_PASSWORD_SALT": "workers-salt",
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
    }
    process, base = start_gunicorn(env, log)
    try:
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def serving_pids(log, since):
    lines = log.read_text(errors="replace").splitlines()[since:]
    return {match.group(1) for match in map(re.compile(r"^<?(\d+)>? 200 /fr/cookies$").match, lines) if match}


def hit(url, times):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(fetch, [url] * times))


def warm_both_workers(url, log):
    """Both workers have the page in memory. Each worker loads the app when it starts, so on a
    busy machine the second one may answer seconds after the first: wait for it (30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        hit(url, 16)
        if len(serving_pids(log, 0)) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(serving_pids(log, 0)) == 2, "the requests never reached the second worker"


def assert_none_serve(url, text):
    """Not one response has ``text`` (an edit not published)."""
    responses = hit(url, 16)
    assert all(status == 200 for status, _ in responses)
    assert not [body for _, body in responses if text in body], "an unpublished edit is served"


def flask_command(database, signal_file, *args):
    """``flask ARGS…`` in another process, on the workers' database; it tells the processes
    that share ``signal_file``."""
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CHARTE_SIGNAL_FILE": str(signal_file),
        "SECRET_KEY": "workers-test",
        "FLASK_APP": "app.py",
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def assert_both_serve(url, log, text, round_=0):
    """Every response from now on has ``text``, until both workers have answered."""
    since = len(log.read_text(errors="replace").splitlines())
    for _ in range(20):
        responses = hit(url, 16)
        stale = [body for status, body in responses if status != 200 or text not in body]
        assert not stale, f"round {round_}: {len(stale)} of {len(responses)} responses without the change"
        if len(serving_pids(log, since)) == 2:
            break
    assert len(serving_pids(log, since)) == 2


# The workers never read the state on a timer here: only the change signal can tell them.
SIGNAL_ONLY = pytest.mark.parametrize("server_env", [{"CHARTE_RECHECK_SECONDS": "3600"}])


@SIGNAL_ONLY
def test_both_workers_serve_a_publication_on_their_next_request(server):
    from models import Cookie, db
    from tests.helpers import publish_draft

    base, log = server
    url = base + "/fr/cookies"
    warm_both_workers(url, log)
    for round_ in range(3):
        text = f"Authentification modifiée {uuid.uuid4().hex[:8]}"
        cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
        cookie.service_fr = text
        db.session.commit()  # this process, not a worker, makes the change
        assert_none_serve(url, text)
        version = publish_draft(f"Tour {round_}")  # and publishes it
        assert version.number == round_ + 2
        assert_both_serve(url, log, text, round_)
        assert_both_serve(url, log, f"Version {version.number}", round_)


@SIGNAL_ONLY
def test_an_import_from_the_command_line_is_served_at_once(server, database, signal_file, tmp_path):
    base, log = server
    url = base + "/en/cookies"
    warm_both_workers(base + "/fr/cookies", log)
    hit(url, 16)
    name = f"cli_{uuid.uuid4().hex[:8]}"
    upload = tmp_path / "new.csv"
    upload.write_text(
        "name,domain,is_pattern,party,storage_kind,category,provider,service_fr,service_en,purposes_fr,purposes_en,"
        "lifetime_fr,lifetime_en,lifetime_unit,lifetime_amount,shown_on_policy,notes,updated_at\n"
        f"{name},app.datajoule.fr,no,first,http_cookie,necessary,Opendatasoft,Import CLI,CLI import,"
        "Se souvenir du choix opéré par le visiteur concernant les cookies,Remember the visitor's choice about cookies,"
        "6 mois,6 months,months,6,yes,,\n"
    )
    flask_command(database, signal_file, "inventory", "import", str(upload))
    assert_none_serve(url, name)  # imported, not published
    done = flask_command(database, signal_file, "policy", "publish", "--note", "Import CLI", "--french-only")
    assert "Published version 2" in done.stdout
    responses = hit(url, 32)
    assert all(status == 200 and name in body for status, body in responses)


@pytest.mark.parametrize("server_env", [{"CHARTE_RECHECK_SECONDS": "0"}])
def test_with_recheck_zero_a_publication_from_another_host_is_served_at_once(server, database, tmp_path):
    """What a deployment on several hosts sets: no publication can go unseen. The change is
    made by hand in SQL and published from a process whose signal file no worker reads."""
    from models import Cookie, db

    base, log = server
    url = base + "/fr/cookies"
    warm_both_workers(url, log)
    text = f"Changé à la main {uuid.uuid4().hex[:8]}"
    with db.engine.begin() as conn:  # no session, so no signal
        conn.execute(Cookie.__table__.update().where(Cookie.name == "sessionid").values(service_fr=text))
    assert_none_serve(url, text)
    flask_command(database, tmp_path / "another-host.signal", "policy", "publish", "--note", "À la main")
    assert_both_serve(url, log, text)


class Browser:
    """Just enough of a browser for the back office over plain HTTP: gunicorn.conf.py runs
    the app in production mode, whose cookies are Secure, which urllib's cookie jar keeps
    for HTTPS only. One connection per request, so that the workers share them out."""

    def __init__(self, base):
        self.host, self.port = base.removeprefix("http://").split(":")
        self.cookies = {}

    def request(self, method, path, form=None):
        import http.client
        import urllib.parse

        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.getheader("Location"), text


def token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def logged_in(base, email):
    browser = Browser(base)
    _, _, login = browser.request("GET", "/account/login")
    status, location, answer = browser.request(
        "POST", "/account/login", {"email": email, "password": PASSWORD, "csrf_token": token(login)}
    )
    assert (status, location) == (302, "/admin/"), answer
    return browser


@SIGNAL_ONLY
def test_a_publication_in_the_back_office_is_served_by_both_workers_at_once(server):
    """The editor's save and the publisher's publication are each handled by one worker: the
    save shows nowhere, and the very next policy requests after the publication, whichever
    worker answers them, show it."""
    from models import Cookie, db
    from tests.forms import form_fields

    base, log = server
    url = base + "/fr/cookies"
    warm_both_workers(url, log)
    browser = logged_in(base, EDITOR)
    publisher = logged_in(base, PUBLISHER)

    cookie_id = db.session.scalars(select(Cookie.id).where(Cookie.name == "sessionid")).one()
    edit = f"/admin/cookie/edit/?id={cookie_id}"
    for round_ in range(3):
        text = f"Enregistré par un éditeur {uuid.uuid4().hex[:8]}"
        status, _, page = browser.request("GET", edit)
        assert status == 200
        fields = form_fields(page)
        fields["service_fr"] = text
        status, location, _ = browser.request("POST", edit, fields)
        assert status == 302 and "/edit/" not in location, (status, location)
        assert_none_serve(url, text)

        status, _, page = publisher.request("GET", "/admin/publication/")
        assert status == 200
        current = int(re.search(r'name="expected_current" value="(\d+)"', page).group(1))
        assert current == round_ + 1
        form = {"csrf_token": token(page), "expected_current": str(current), "note_fr": f"Tour {round_}"}
        status, location, answer = publisher.request("POST", "/admin/publication/publish", form)
        assert (status, location) == (302, "/admin/publication/"), answer[:2000]
        assert_both_serve(url, log, text, round_)
