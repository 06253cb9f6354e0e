"""Four processes (as four gunicorn workers would) make 200 edits to the same cookie
through the back office: no request fails and no saved edit is lost, on SQLite
(WAL, busy timeout, BEGIN IMMEDIATE for writes) and on PostgreSQL."""

import multiprocessing

from sqlalchemy import func, select

from models import Cookie, RecordChange, db

PROCESSES = 4
EDITS_PER_PROCESS = 50
# The two ways a save is refused because another one won: seen when the form is sent,
# or (PostgreSQL) when two saves reach the database at the same instant.
REFUSED = ("PAS été enregistrées", "au même moment")


def editor_process(database_url, cookie_id, worker, edits, results):
    """One worker: log in, then append its own token to the cookie's notes ``edits`` times,
    opening the form again whenever a save is refused because someone saved first."""
    from app import create_app
    from tests.conftest import app_config, login
    from tests.forms import form_fields

    # The test run's own database (``database_url``) and the tests' configuration, password
    # hashing included: a login here does not rewrite the account's hash.
    app = create_app(app_config(database_url))
    client = app.test_client()
    saved = refused = errors = 0
    first_error = None
    try:
        if login(client, "editor@example.com").status_code != 302:
            results.put((worker, 0, 0, edits, "login failed"))
            return
        url = f"/admin/cookie/edit/?id={cookie_id}"
        for number in range(edits):
            while True:
                page = client.get(url)
                if page.status_code != 200:
                    errors += 1
                    first_error = first_error or f"GET {page.status_code}"
                    break
                form = form_fields(page.get_data(as_text=True))
                form["notes"] = (form.get("notes") or "") + f"[w{worker}e{number}]"
                form["csrf_token"] = client.csrf
                response = client.post(url, data=form)
                if response.status_code == 302:
                    saved += 1
                    break
                if response.status_code == 200 and any(m in response.get_data(as_text=True) for m in REFUSED):
                    refused += 1
                    continue
                errors += 1
                first_error = first_error or f"{response.status_code}: {response.get_data(as_text=True)[:300]}"
                break
    except Exception as exc:
        first_error = first_error or repr(exc)  # any crash counts as an error for every edit not made
        errors += edits - saved
    results.put((worker, saved, refused, errors, first_error))


def test_200_concurrent_edits_from_4_processes(app, database_url):
    cookie = db.session.scalars(select(Cookie).where(Cookie.name == "sessionid")).one()
    cookie.notes = ""
    db.session.commit()
    cookie_id = cookie.id
    history_before = _updates_recorded(cookie_id)
    db.session.remove()
    db.engine.dispose()

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=editor_process, args=(database_url, cookie_id, n, EDITS_PER_PROCESS, results))
        for n in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for process in workers:
        process.join(timeout=60)

    saved = sum(o[1] for o in outcomes)
    errors = sum(o[3] for o in outcomes)
    assert errors == 0, outcomes
    assert saved == PROCESSES * EDITS_PER_PROCESS, outcomes

    notes = db.session.get(Cookie, cookie_id).notes
    missing = [f"[w{w}e{n}]" for w in range(PROCESSES) for n in range(EDITS_PER_PROCESS) if f"[w{w}e{n}]" not in notes]
    assert missing == [], f"{len(missing)} saved edits lost, e.g. {missing[:5]}"
    assert _updates_recorded(cookie_id) - history_before == saved  # every save is in the history


def _updates_recorded(cookie_id):
    return db.session.scalar(
        select(func.count())
        .select_from(RecordChange)
        .where(RecordChange.model == "cookie", RecordChange.record_id == cookie_id, RecordChange.action == "update")
    )
