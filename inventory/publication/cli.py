"""``flask policy …``: publish the draft, verify the chain of versions."""

import sys

import click
from flask.cli import AppGroup

from models import db, writes
from rules.language import force_language

from .checks import ERROR, Options
from .diff import diff_documents, summary
from .versions import PublicationRefused, document_of, prepare, publish, verify

policy_cli = AppGroup("policy", help="Publish the cookie policy and check its published versions.")


def _print_findings(findings):
    for finding in findings:
        label = "error" if finding.severity == ERROR else "warning"
        click.echo(f"  {label} [{finding.rule}]: {finding.message}")


@policy_cli.command("publish")
@click.option("--note", "note_fr", required=True, help="The change note, in French (required).")
@click.option("--note-en", help="The change note in English.")
@click.option("--dry-run", is_flag=True, help="Show the changes and the checks, publish nothing.")
@click.option(
    "--french-only",
    is_flag=True,
    help="Publish the texts that have no English in French only, instead of refusing them.",
)
@writes
def publish_command(note_fr, note_en, dry_run, french_only):
    """Publish the draft (the inventory as it is) as the next version.

    Exit status: 0 published (or, with --dry-run, publishable); 1 refused, nothing written.
    """
    with force_language("en"):  # the command line speaks English
        draft = prepare(db.session)
        options = Options(
            french_only={(f.section, f.key) for f in draft.findings if f.waivable} if french_only else set()
        )
        old = document_of(draft.current) if draft.current else None
        counts = summary(diff_documents(old, draft.document))
        current = f"version {draft.current.number}" if draft.current else "nothing published yet"
        click.echo(f"Draft compared with {current}:")
        for section, actions in counts.items():
            click.echo(f"  {section}: " + ", ".join(f"{count} {action}" for action, count in actions.items()))
        if not counts:
            click.echo("  no change")
        findings = [f for f in draft.findings if not (f.waivable and (f.section, f.key) in options.french_only)]
        _print_findings(findings)
        if dry_run:
            db.session.rollback()
            sys.exit(1 if any(f.severity == ERROR for f in findings) else 0)
        try:
            version = publish(db.session, note_fr=note_fr, note_en=note_en, options=options)
        except PublicationRefused as refused:
            click.echo(f"Refused: {refused}", err=True)
            _print_findings(refused.findings)
            sys.exit(1)
        click.echo(f"Published version {version.number} ({version.cookie_count} cookies), SHA-256 {version.digest}.")


@policy_cli.command("verify")
def verify_command():
    """Check every version's digest, the chain between versions, and the stored pages.

    Exit status: 0 intact; 1 broken, naming the first broken version.
    """
    problems = verify(db.session)
    if problems:
        version, message = problems[0]
        click.echo(f"Version {version.number} is broken: {message}.", err=True)
        for other, text in problems[1:]:
            click.echo(f"  also version {other.number}: {text}.", err=True)
        sys.exit(1)
    click.echo("The chain of published versions is intact.")
