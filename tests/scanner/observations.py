"""A scan's observations as ``scanner.engine.scan`` gives them for the fixture site
(tests/scan_site.py), for the tests that need a finished scan but no browser: the back office,
the access walk, the add-to-draft flow. ``test_scan_fixture_site.py`` checks that a real scan
of the fixture site gives these items."""

import copy
from types import SimpleNamespace

from models import db
from models.scan import DONE, Scan
from models.timestamps import utcnow

SITE = "http://site.localhost:8765"
HOME = SITE + "/"
ALL = {"none": HOME, "refuse": HOME, "accept": HOME}


def _cookie(
    name, lifetime, party="first", domain="site.localhost", seen=ALL, http_only=False, secure=False, same_site="Lax"
):
    return {
        "kind": "http_cookie",
        "name": name,
        "domain": domain,
        "path": "/",
        "lifetime_seconds": lifetime,
        "http_only": http_only,
        "secure": secure,
        "same_site": same_site,
        "party": party,
        "seen": dict(seen),
    }


def _storage(kind, name):
    return {"kind": kind, "name": name, "domain": "site.localhost", "path": "", "party": "first", "seen": dict(ALL)}


DAY = 86400
OBSERVED = {
    "url": HOME,
    "site_host": "site.localhost",
    "scenarios": [
        {"key": "none", "status": "done", "button": None, "pages": 6},
        {"key": "refuse", "status": "done", "button": '#cc-main .cm__btn[data-role="necessary"]', "pages": 6},
        {"key": "accept", "status": "done", "button": '#cc-main .cm__btn[data-role="all"]', "pages": 6},
    ],
    "pages": [
        {"url": HOME, "status": "ok"},
        {"url": SITE + "/about", "status": "ok"},
        {
            "url": SITE + "/slow",
            "status": "timeout",
            "note": {
                "fr": "Pas chargée en 4\u00a0s\u00a0: ignorée.",
                "en": "Did not finish loading within 4 s: skipped.",
            },
        },
    ],
    "items": [
        _cookie("_gcl_au", 90 * DAY),
        _cookie("_pk_id.1", 395 * DAY, seen={"accept": HOME}),
        _cookie("consent", 182 * DAY, seen={"refuse": HOME, "accept": HOME}),
        _cookie("sid", None, http_only=True),
        _cookie("trk_uid", 390 * DAY, party="third", domain="tracker.localhost", secure=True, same_site="None"),
        _cookie("ui_lang", 30 * DAY),
        _storage("indexed_db", "offline-cache"),
        _storage("local_storage", "theme"),
        {
            "kind": "pixel",
            "name": "tracker.localhost",
            "domain": "tracker.localhost",
            "path": "",
            "party": "third",
            "seen": dict(ALL),
        },
        _storage("session_storage", "visit"),
    ],
    "hosts": [{"host": "tracker.localhost", "party": "third", "seen": dict(ALL), "kinds": ["image"]}],
    "refused": [],
    "notes": [],
    "seconds": 20.0,
}


def stored_scan(app, observed=None, **values):
    """A finished scan of ``observed`` (default OBSERVED) compared with the inventory as it is."""
    from scanner.jobs import finish

    result = finish(app, copy.deepcopy(observed or OBSERVED))
    scan_row = Scan(
        url=result["url"],
        status=DONE,
        options={"max_pages": 20, "scenarios": ["none", "refuse", "accept"]},
        requested_by="editor@example.com",
        started_at=utcnow(),
        finished_at=utcnow(),
        result=result,
        counts=result["counts"],
        pages=result["counts"]["pages"],
        **values,
    )
    db.session.add(scan_row)
    db.session.commit()
    # Plain values: the requests that follow end the test's session.
    return SimpleNamespace(id=scan_row.id, url=scan_row.url, result=scan_row.result)
