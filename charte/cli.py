"""``flask policy export`` (one version as a record) and ``flask policy export-static`` (the
whole public side as files, for a static host or a CDN)."""

import sys
from pathlib import Path

import click
from flask import current_app

from inventory.publication.versions import compressed, version_number, versions
from models import db

from .records import RECORD_FORMATS, record_bytes, record_filename


@click.command("export")
@click.argument("number", type=int)
@click.option("--format", "fmt", type=click.Choice(sorted(RECORD_FORMATS)), default="pdf", show_default=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (default: a name with the version number).",
)
def export_command(number, fmt, lang, output):
    """Write version NUMBER as a record: self-contained HTML, PDF, or its JSON content."""
    version = version_number(db.session, number)
    if version is None:
        click.echo(f"There is no version {number}.", err=True)
        sys.exit(1)
    with current_app.test_request_context("/"):
        data = record_bytes(version, fmt, lang)
    path = Path(output or record_filename(version, fmt, lang))
    path.write_bytes(data)
    click.echo(f"Version {version.number} written to {path} ({len(data):,} bytes), SHA-256 {version.digest}.")


def public_paths(session):
    """Every public address of the published policy, as served by the app."""
    numbers = [version.number for version in versions(session)]
    paths = ["/api/v1/policy.json", "/api/v1/inventory.json", "/static/site.css", "/static/charte.js"]
    paths += [f"/api/v1/policy/{n}.json" for n in numbers]
    for lang in ("fr", "en"):
        paths += [f"/{lang}/cookies", f"/{lang}/cookies/labels.css", f"/{lang}/cookies/versions"]
        paths += [f"/{lang}/cookies/versions/{n}" for n in numbers]
        paths += [f"/{lang}/cookies/versions/{n}/changes" for n in numbers if n > 1]
    return paths


def _file_for(folder, path):
    """Where a static host finds ``path``: pages get ".html" (nginx: try_files $uri $uri.html)."""
    relative = path.lstrip("/")
    if not Path(relative).suffix:
        relative += ".html"
    return folder / relative


@click.command("export-static")
@click.argument("folder", type=click.Path(file_okay=False))
def export_static_command(folder):
    """Write the public side (current pages, archive, versions, feeds, styles) into FOLDER, each
    file with .gz and .br siblings, so that any static host can serve it (README, nginx)."""
    folder = Path(folder)
    client = current_app.test_client()
    paths = public_paths(db.session)
    written = 0
    with click.progressbar(paths, label="Writing the public pages") as bar:
        for path in bar:
            response = client.get(path)
            if response.status_code == 404 and "/versions" in path:
                continue  # the archive is private: only the current version goes out
            if response.status_code != 200:
                click.echo(f"\n{path}: HTTP {response.status_code}; nothing more written.", err=True)
                sys.exit(1)
            data = response.get_data()
            target = _file_for(folder, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            packed_gzip, packed_brotli = compressed(data)
            target.write_bytes(data)
            Path(f"{target}.gz").write_bytes(packed_gzip)
            Path(f"{target}.br").write_bytes(packed_brotli)
            written += 1
    click.echo(f"{written} pages written to {folder} (each with .gz and .br).")


def add_policy_commands(group):
    group.add_command(export_command)
    group.add_command(export_static_command)
