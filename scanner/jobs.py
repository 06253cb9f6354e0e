"""Scans as database-backed jobs: requested from the back office or the command line, run one
at a time by a worker (a thread of the web process by default, ``flask scan worker`` in
production), their progress written as they go, and their result compared with the inventory.

A web request never waits for a scan: it queues one (``request_scan``) and reads its progress.
"""

import logging
import threading
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from models import Category, Cookie, SiteSettings, db, writing
from models.scan import ACTIVE, DONE, FAILED, INTERRUPTED, QUEUED, RUNNING, Scan
from models.timestamps import utcnow
from rules.validation import InventoryError, whole_number

from .addresses import AddressRefused, Resolver, check_url
from .compare import Declared, compare
from .engine import MAX_PAGES, SCENARIOS, ScanFailed, ScanOptions, bilingual, scan
from .reference import reference

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
STALE_SECONDS = 60  # a running scan silent for this long lost its worker (a restart)
POLL_SECONDS = 2
DEFAULT_PAGES = 20
DEFAULT_TIME_LIMIT = 300
SELECTOR_MAX = 300
SCENARIO_STATUS = {
    "done": _l("done"),
    "button_not_found": _l("the banner's button was not found: this scenario was not run"),
    "time_limit": _l("stopped at the time limit"),
}


def resolver(app):
    """The scanner's resolver under the operator's settings (config.py, SCANNER_*)."""
    return Resolver(app.config["SCANNER_HOST_RESOLVER_RULES"], app.config["SCANNER_ALLOWED_NETWORKS"])


def check_request(url, max_pages, scenarios, accept=None, refuse=None, resolve=None):
    """The options of a scan request, checked; InventoryError names the field to fix.
    ``resolve``: a Resolver, to refuse at once an address the scan could not reach (the
    scan checks every connection again as it runs)."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise InventoryError(_l("The address is too long."), field="url")
    try:
        _, host, port = check_url(url)
        if resolve is not None:
            resolve.resolve(host, port)
    except AddressRefused as refused:
        raise InventoryError(refused.message, field="url") from None
    try:
        max_pages = whole_number(1, MAX_PAGES)(max_pages)
    except InventoryError as error:
        raise InventoryError(error.message, field="max_pages") from None
    scenarios = [key for key in SCENARIOS if key in set(scenarios or ())]
    if not scenarios:
        raise InventoryError(_l("Choose at least one scenario."), field="scenarios")
    selectors = {}
    for name, value in (("accept_selector", accept), ("refuse_selector", refuse)):
        value = (value or "").strip()
        if len(value) > SELECTOR_MAX or any(ch in value for ch in "\r\n\x00"):
            raise InventoryError(
                _l("A CSS selector on one line, at most %(max)d characters.", max=SELECTOR_MAX), field=name
            )
        selectors[name] = value or None
    return url, {"max_pages": max_pages, "scenarios": scenarios, **selectors}


class ScanRefused(Exception):
    def __init__(self, message, scan=None):
        super().__init__(str(message))
        self.message = message
        self.scan = scan


def active_scan(session):
    return session.scalars(select(Scan).where(Scan.status.in_(ACTIVE)).order_by(Scan.id)).first()


def request_scan(session, url, options, user=None, requested_by=None):
    """Queue a scan; ScanRefused while another is queued or running (one at a time per site)."""
    with writing(session):
        recover_interrupted(session)
        running = active_scan(session)
        if running is not None:
            session.rollback()
            raise ScanRefused(
                _l("A scan is already under way (scan %(id)d): wait for it to finish.", id=running.id), running
            )
        scan_row = Scan(
            url=url,
            options=options,
            status=QUEUED,
            requested_by_id=getattr(user, "id", None),
            requested_by=requested_by or getattr(user, "email", None),
        )
        session.add(scan_row)
        session.commit()
    return scan_row


def recover_interrupted(session, now=None):
    """Mark as interrupted the running scans whose worker stopped (no heartbeat for a while)."""
    now = now or utcnow()
    result = session.execute(
        update(Scan)
        .where(Scan.status == RUNNING, Scan.heartbeat_at < now - timedelta(seconds=STALE_SECONDS))
        .values(status=INTERRUPTED, finished_at=now)
    )
    return result.rowcount


def claim_next(session):
    """The oldest queued scan, now running; None when there is none or one is running."""
    with writing(session):
        recover_interrupted(session)
        if session.scalars(select(Scan.id).where(Scan.status == RUNNING)).first() is not None:
            session.commit()
            return None
        scan_id = session.scalars(select(Scan.id).where(Scan.status == QUEUED).order_by(Scan.id)).first()
        if scan_id is None:
            session.commit()
            return None
        now = utcnow()
        claimed = session.execute(
            update(Scan)
            .where(Scan.id == scan_id, Scan.status == QUEUED)
            .values(status=RUNNING, started_at=now, heartbeat_at=now)
        ).rowcount
        session.commit()
    return session.get(Scan, scan_id) if claimed == 1 else None


def declared_cookies(session):
    """The inventory (the draft: what the site should set), as the comparison reads it."""
    cookies = session.scalars(select(Cookie).options(selectinload(Cookie.provider), selectinload(Cookie.category)))
    return [
        Declared(
            id=c.id,
            name=c.name,
            is_pattern=c.is_pattern,
            domain=c.domain or "",
            party=c.party,
            storage_kind=c.storage_kind,
            lifetime_minutes=c.lifetime_minutes,
            consent_required=c.category.consent_required,
            label=f"{c.display_name} ({c.provider.name}, {c.category.name_fr})",
        )
        for c in cookies
    ]


def suggester(session, instance_path):
    """The Open Cookie Database's suggestion for a name, with this site's own rule for
    whether its category needs consent."""
    consent = dict(session.execute(select(Category.key, Category.consent_required)).all())
    ref = reference(instance_path)

    def suggest(name, domain):
        found = ref.suggest(name, domain)
        if found and found["category"] in consent:
            found["consent_required"] = consent[found["category"]]
        return found

    return suggest


def scan_options(app, url, options):
    settings = SiteSettings.current(db.session)
    return ScanOptions(
        url=url,
        max_pages=options.get("max_pages", DEFAULT_PAGES),
        time_limit=options.get("time_limit", DEFAULT_TIME_LIMIT),
        page_timeout=options.get("page_timeout", 20),
        scenarios=tuple(options.get("scenarios") or SCENARIOS),
        accept_selector=options.get("accept_selector"),
        refuse_selector=options.get("refuse_selector"),
        consent_manager=settings.consent_manager if settings else None,
        chromium=app.config["SCANNER_CHROMIUM"],
        resolver=resolver(app),
        extra_args=tuple(options.get("extra_args", ())),
    )


def _write(scan_id, **values):
    with writing():
        db.session.execute(update(Scan).where(Scan.id == scan_id).values(heartbeat_at=utcnow(), **values))
        db.session.commit()


def run(app, scan_row, on_progress=None):
    """Run a claimed scan to its end: done with its result, or failed with a message."""
    scan_id, url, options = scan_row.id, scan_row.url, dict(scan_row.options or {})
    stop = threading.Event()

    def beat():
        with app.app_context():
            while not stop.wait(HEARTBEAT_SECONDS):
                _write(scan_id)

    ticker = threading.Thread(target=beat, daemon=True)
    ticker.start()
    try:

        def progress(state):
            _write(scan_id, progress=state)
            if on_progress:
                on_progress(state)

        observed = scan(scan_options(app, url, options), progress=progress)
        result = finish(app, observed)
        _write(
            scan_id,
            status=DONE,
            finished_at=utcnow(),
            result=result,
            counts=result["counts"],
            pages=sum(1 for p in result["pages"] if p.get("status") == "ok"),
        )
    except ScanFailed as failed:
        _write(scan_id, status=FAILED, finished_at=utcnow(), error=bilingual(failed.message))
    except Exception:
        log.exception("scan %s failed", scan_id)
        _write(
            scan_id,
            status=FAILED,
            finished_at=utcnow(),
            error=bilingual(_l("The scan stopped on an unexpected error (see the server's log).")),
        )
    finally:
        stop.set()
        ticker.join(HEARTBEAT_SECONDS + 1)
        db.session.remove()
    return db.session.get(Scan, scan_id)


def finish(app, observed):
    """The observations compared with the inventory as it is now; not-seen cookies named as
    they are now (a cookie deleted later still reads right in an old scan)."""
    session = db.session
    declared = declared_cookies(session)
    compared = compare(observed, declared, suggester(session, app.instance_path))
    labels = {c.id: c.label for c in declared}
    return observed | {
        "items": compared["items"],
        "not_seen": [{"cookie_id": cid, "label": labels[cid]} for cid in compared["not_seen"]],
        "counts": compared["counts"] | {"pages": sum(1 for p in observed["pages"] if p.get("status") == "ok")},
    }


def run_next(app):
    """Claim and run one queued scan (the worker's step; tests call it directly)."""
    scan_row = claim_next(db.session)
    return run(app, scan_row) if scan_row is not None else None


def work(app, stop=None, once=False):
    """The worker's loop: run queued scans one after the other until ``stop`` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        with app.app_context():
            try:
                ran = run_next(app)
            except Exception:  # the database went away a moment: try again at the next poll
                log.exception("scan worker step failed")
                db.session.rollback()
                ran = None
        if once:
            return ran
        if ran is None:
            stop.wait(POLL_SECONDS)


def start_thread_worker(app):
    """The embedded default: one daemon thread per web process runs the queued scans."""
    if app.extensions.get("scan_worker"):
        return
    stop = threading.Event()
    thread = threading.Thread(target=work, args=(app, stop), name="scan-worker", daemon=True)
    app.extensions["scan_worker"] = (thread, stop)
    thread.start()


def stop_thread_worker(app, timeout=60):
    """Stop the worker thread once its current scan (if any) is done."""
    worker = app.extensions.pop("scan_worker", None)
    if worker:
        thread, stop = worker
        stop.set()
        thread.join(timeout)


def previous_done(session, scan_row):
    return session.scalars(
        select(Scan).where(Scan.status == DONE, Scan.id < scan_row.id).order_by(Scan.id.desc())
    ).first()


def item_key(item):
    return f"{item['kind']}|{item['name']}|{item['domain'].lstrip('.')}"


def difference(current, previous):
    """What changed since the previous scan: undeclared items new and gone, violations new."""
    if not current or not previous or not current.result or not previous.result:
        return None

    def keys(scan_row, test):
        return {item_key(i) for i in scan_row.result["items"] if test(i)}

    undeclared = lambda i: i["status"] == "undeclared"  # noqa: E731
    violation = lambda i: bool(i["violation"])  # noqa: E731
    return {
        "previous_id": previous.id,
        "new_undeclared": sorted(keys(current, undeclared) - keys(previous, undeclared)),
        "gone_undeclared": sorted(keys(previous, undeclared) - keys(current, undeclared)),
        "new_violations": sorted(keys(current, violation) - keys(previous, violation)),
    }
