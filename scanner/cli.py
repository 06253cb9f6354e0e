"""``flask scan run URL``, ``flask scan worker`` and ``flask scan update-reference FILE``."""

import contextlib
import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from models import db
from models.inventory import STORAGE_LABELS
from models.scan import DONE
from rules.validation import InventoryError

from . import jobs
from .engine import SCENARIO_NAMES, SCENARIOS, said
from .reference import ReferenceRefused, replace

scan_cli = AppGroup("scan", help="Scan the live site and compare what it sets with the inventory.")

EXIT_CLEAN = 0
EXIT_FINDINGS = 1  # undeclared items or consent violations
EXIT_FAILED = 2  # the scan could not run


def summary_lines(scan_row, lang):
    """The scan's result as plain lines, in the current language."""
    from flask_babel import gettext

    result = scan_row.result or {}
    counts = result.get("counts", {})
    lines = [
        gettext(
            "Scan %(id)d of %(url)s: %(pages)d pages", id=scan_row.id, url=scan_row.url, pages=counts.get("pages", 0)
        )
    ]
    for scenario in result.get("scenarios", []):
        lines.append(f"  {SCENARIO_NAMES[scenario['key']]}: {jobs.SCENARIO_STATUS[scenario['status']]}")
    lines.append(
        gettext(
            "Declared and seen: %(declared)d; undeclared: %(undeclared)d; mismatches: %(mismatch)d; "
            "consent violations: %(violations)d; declared but not seen: %(not_seen)d",
            **{key: counts.get(key, 0) for key in ("declared", "undeclared", "mismatch", "violations", "not_seen")},
        )
    )
    for item in result.get("items", []):
        if item["violation"]:
            lines.append(
                "  "
                + gettext("VIOLATION")
                + f" {item['name']} ({item['domain']}): "
                + ", ".join(str(SCENARIO_NAMES[s]) for s in item["violation"])
            )
    for item in result.get("items", []):
        if item["status"] == "undeclared":
            hint = item.get("suggestion") or {}
            lines.append(
                "  "
                + gettext("UNDECLARED")
                + f" {STORAGE_LABELS[item['kind']]} {item['name']} ({item['domain']})"
                + (f" — {hint.get('platform') or hint.get('provider')}, {hint.get('category')}" if hint else "")
            )
        elif item["status"] == "mismatch":
            lines.append(
                "  " + gettext("MISMATCH") + f" {item['name']} ({item['domain']}): " + ", ".join(item["problems"])
            )
    for entry in result.get("refused", []):
        lines.append("  " + gettext("REFUSED") + f" {entry['host']}: {said(entry['message'], lang)}")
    return lines


@scan_cli.command("run")
@click.argument("url")
@click.option(
    "--pages", "max_pages", type=int, default=jobs.DEFAULT_PAGES, show_default=True, help="Pages to visit at most."
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Choice(SCENARIOS),
    help="Scenarios to run (default: all three).",
)
@click.option("--accept-selector", help="CSS selector of the banner's accept-all button.")
@click.option("--refuse-selector", help="CSS selector of the banner's refuse-all button.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--lang", type=click.Choice(("fr", "en")), default="en", show_default=True)
def run_command(url, max_pages, scenarios, accept_selector, refuse_selector, as_json, lang):
    """Scan URL now; exit 1 when it finds undeclared items or consent violations, 2 when it cannot run."""
    with force_locale(lang):
        try:
            url, options = jobs.check_request(
                url, max_pages, scenarios or SCENARIOS, accept_selector, refuse_selector, jobs.resolver(current_app)
            )
            scan_row = jobs.request_scan(db.session, url, options, requested_by="command line")
        except InventoryError as error:
            click.echo(str(error.message), err=True)
            sys.exit(EXIT_FAILED)
        except jobs.ScanRefused as refused:
            click.echo(str(refused.message), err=True)
            sys.exit(EXIT_FAILED)
        claimed = jobs.claim_next(db.session)
        if claimed is None or claimed.id != scan_row.id:
            click.echo("Another scan took the worker first; try again.", err=True)
            sys.exit(EXIT_FAILED)

        def show(state):
            if not as_json:
                click.echo(
                    f"[{state['done'] + 1}/{state['total']}] {SCENARIO_NAMES[state['scenario']]}: {state['current']}",
                    err=True,
                )

        scan_row = jobs.run(current_app._get_current_object(), claimed, on_progress=show)
        if scan_row.status != DONE:
            click.echo(said(scan_row.error, lang), err=True)
            sys.exit(EXIT_FAILED)
        if as_json:
            click.echo(
                json.dumps(
                    {"scan": scan_row.id, "status": scan_row.status, **scan_row.result},
                    ensure_ascii=False,
                    indent=1,
                    default=str,
                )
            )
        else:
            click.echo("\n".join(summary_lines(scan_row, lang)))
        counts = scan_row.counts or {}
        sys.exit(EXIT_FINDINGS if counts.get("undeclared") or counts.get("violations") else EXIT_CLEAN)


@scan_cli.command("worker")
def worker_command():
    """Run the queued scans, one at a time, until stopped (production: next to gunicorn, with SCAN_WORKER=external)."""
    click.echo("Scan worker: waiting for scans (Ctrl+C stops it).", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        jobs.work(current_app._get_current_object())


@scan_cli.command("update-reference")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def update_reference_command(file):
    """Use FILE (a newer Open Cookie Database CSV) for the scanner's suggestions."""
    try:
        rows = replace(file.read_bytes(), current_app.instance_path)
    except ReferenceRefused as refused:
        click.echo(f"Refused: {refused}. The reference in use is unchanged.", err=True)
        sys.exit(1)
    click.echo(f"The scanner now suggests from {file.name}: {rows} rows.")
