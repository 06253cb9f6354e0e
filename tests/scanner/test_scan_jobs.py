"""Scans as jobs: queued, claimed one at a time, run with progress to a compared result;
failed with a message; interrupted when their worker stopped; and ``flask scan run``."""

import json
from datetime import timedelta

from sqlalchemy import select, update

from models import Scan, db
from models.scan import DONE, FAILED, INTERRUPTED, QUEUED, RUNNING
from models.timestamps import utcnow
from scanner import jobs
from tests.helpers import fresh


def _queue(app, url, **options):
    options = {"max_pages": 3, "scenarios": ["none"], "page_timeout": 4, **options}
    return jobs.request_scan(db.session, url, options, requested_by="test")


def test_a_queued_scan_runs_to_a_result_compared_with_the_inventory(scanning_app, chromium, fixture_site):
    scan_id = _queue(scanning_app, fixture_site).id
    ran = jobs.run_next(scanning_app)
    assert ran.id == scan_id
    scan_row = fresh().get(Scan, scan_id)
    assert scan_row.status == DONE and scan_row.pages == 3 and scan_row.finished_at
    assert scan_row.progress["scenario"] == "none" and scan_row.progress["total"] == 3
    names = {i["name"]: i for i in scan_row.result["items"]}
    assert names["_gcl_au"]["status"] == "undeclared" and names["_gcl_au"]["violation"] == ["none"]
    assert scan_row.counts["violations"] == 1 and scan_row.counts["not_seen"] == 4
    assert jobs.run_next(scanning_app) is None  # nothing left


def test_a_scan_that_cannot_run_fails_with_a_message(scanning_app):
    scanning_app.config["SCANNER_CHROMIUM"] = "/nonexistent/chromium"
    scan_id = _queue(scanning_app, "http://site.localhost:9/").id
    jobs.run_next(scanning_app)
    scan_row = fresh().get(Scan, scan_id)
    assert scan_row.status == FAILED and "/nonexistent/chromium" in scan_row.error["fr"]
    assert scan_row.error["en"].startswith("The browser cannot be started")


def test_a_running_scan_whose_worker_stopped_is_interrupted_and_the_next_can_run(app):
    first = _queue(app, "http://93.184.215.14/").id
    assert jobs.claim_next(db.session).id == first
    assert jobs.claim_next(db.session) is None  # one at a time
    db.session.execute(update(Scan).where(Scan.id == first).values(heartbeat_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    second = _queue(app, "http://93.184.215.14/").id  # the stale one no longer blocks
    assert fresh().get(Scan, first).status == INTERRUPTED
    assert fresh().get(Scan, second).status == QUEUED
    assert jobs.claim_next(db.session).id == second
    assert fresh().get(Scan, second).status == RUNNING


def test_flask_scan_run_exits_non_zero_on_findings_and_prints_them(scanning_app, chromium, fixture_site):
    runner = scanning_app.test_cli_runner()
    result = runner.invoke(args=["scan", "run", fixture_site, "--pages", "2", "--scenario", "none"])
    assert result.exit_code == 1, result.output
    assert (
        "VIOLATION _gcl_au" in result.output and "UNDECLARED HTTP cookie trk_uid (tracker.localhost)" in result.output
    )
    as_json = runner.invoke(args=["scan", "run", fixture_site, "--pages", "1", "--scenario", "none", "--json"])
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["status"] == "done" and data["counts"]["violations"] == 1
    assert fresh().scalars(select(Scan.requested_by)).all() == ["command line", "command line"]


def test_flask_scan_run_refuses_an_internal_address(app):
    result = app.test_cli_runner().invoke(args=["scan", "run", "http://10.0.0.1/"])
    assert result.exit_code == 2 and "SCANNER_ALLOWED_NETWORKS" in result.output
