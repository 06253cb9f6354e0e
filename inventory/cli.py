"""``flask inventory export`` and ``flask inventory import``: the same functions as the back office."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from models import writes
from rules.language import force_language

from . import export as exports
from . import importing

inventory_cli = AppGroup("inventory", help="Export and import the cookie inventory.")

# Exit statuses of ``import``.
EXIT_OK = 0
EXIT_REFUSED = 1  # nothing written: the file, or at least one row, was rejected
EXIT_SKIPPED = 2  # --skip-invalid: applied, but some rows were rejected and skipped


@inventory_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="json", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write (default: standard output).",
)
def export_command(fmt, output):
    """Write the whole inventory as CSV, Excel-flavoured CSV (BOM and ;), XLSX or JSON."""
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.UsageError("XLSX is binary: write it to a file with -o FILE.")
        stream = sys.stdout.buffer
        exports.export(fmt, stream)
        stream.flush()
        return
    partial = output.with_name(output.name + ".part")
    try:
        with partial.open("wb") as out:
            exports.export(fmt, out)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Inventory written to {output} ({fmt}).", err=True)


@inventory_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(importing.FORMATS), help="Default: recognised from the content.")
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
@click.option(
    "--skip-invalid", is_flag=True, help="Apply the valid rows and list the rejected ones (default: all or nothing)."
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=importing.MAX_BYTES // 2**20,
    show_default=True,
    help="Largest file accepted, in MiB.",
)
@writes
def import_command(file, fmt, dry_run, skip_invalid, max_size):
    """Import FILE (our JSON, CSV or XLSX export, or the Open Cookie Database CSV).

    Exit status: 0 all rows accepted; 1 refused, nothing written (or a dry run with rejected
    rows); 2 applied with --skip-invalid while some rows were rejected.
    """
    max_bytes = max_size * 2**20
    with file.open("rb") as source:
        data = source.read(max_bytes + 1)  # one byte more than allowed is enough to refuse it
    report = importing.import_inventory(
        data, filename=file.name, fmt=fmt, dry_run=dry_run, skip_invalid=skip_invalid, max_bytes=max_bytes
    )
    with force_language("en"):  # the command line speaks English, its messages included
        for line in report.summary():
            click.echo(line)
    if report.problems or (report.rejected and not report.applied):
        sys.exit(EXIT_REFUSED)
    if report.rejected:
        sys.exit(EXIT_SKIPPED)
