"""Two gunicorn workers, each with its own page cache: a change committed by another
process is served by both on their very next request."""
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    # A new connection per request, so that the workers share them out.
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def database(tmp_path):
    """A seeded SQLite database and an application (in this process) to edit it."""
    from app import create_app
    from inventory.seed import load_seed
    from models import db

    url = f"sqlite:///{tmp_path / 'workers.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "workers-test"})
    with app.app_context():
        db.create_all()
        load_seed()
        db.session.commit()
        yield url
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def server(database, tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SECRET_KEY": "workers-test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logformat", "%(p)s %(s)s %(U)s", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(base + "/fr/cookies")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + log.read_text(errors="replace"))
                time.sleep(0.2)
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


def test_both_workers_serve_a_change_on_their_next_request(server):
    from models import Cookie, db

    base, log = server
    url = base + "/fr/cookies"
    # Both workers have the page in memory.
    for _ in range(20):
        hit(url, 16)
        if len(serving_pids(log, 0)) == 2:
            break
    assert len(serving_pids(log, 0)) == 2, "the requests never reached the second worker"

    for round_ in range(3):
        text = f"Authentification modifiée {uuid.uuid4().hex[:8]}"
        cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
        cookie.service_fr = text
        db.session.commit()  # this process, not a worker, makes the change
        since = len(log.read_text(errors="replace").splitlines())
        for _ in range(20):
            responses = hit(url, 16)
            stale = [body for status, body in responses if status != 200 or text not in body]
            assert not stale, f"round {round_}: {len(stale)} of {len(responses)} responses without the change"
            if len(serving_pids(log, since)) == 2:
                break
        assert len(serving_pids(log, since)) == 2
