"""The draft's publication and compliance findings, for every back-office page that shows
them (the Compliance page, the overview, each record's form, the lists' badges): computed
once per inventory revision, current version and latest scan, not on every page (reading the
whole draft costs seconds at 100,000 cookies)."""

from flask import current_app, url_for
from sqlalchemy import func, select

from inventory.publication.checks import ERROR
from inventory.publication.versions import current_version, prepare
from models import Category, InventoryState, SiteSettings, db
from models.scan import DONE, Scan

# Where the back office edits the record a finding names.
EDIT_ENDPOINTS = {"cookies": "cookie", "providers": "provider", "purposes": "purpose", "categories": "category"}
# The document section of each record kind.
SECTIONS = {"cookie": "cookies", "provider": "providers", "purpose": "purposes", "category": "categories"}


def draft_findings(session=None):
    session = session or db.session
    state = session.get(InventoryState, 1)
    current = current_version(session)
    last_scan = session.scalar(select(func.max(Scan.id)).where(Scan.status == DONE))
    key = (state.revision if state else 0, current.id if current else None, last_scan)
    cache = current_app.extensions.setdefault("draft_findings", {})
    if key not in cache:
        cache.clear()  # one entry: the key moves on with every change
        cache[key] = prepare(session).findings
    return cache[key]


def by_record(findings):
    """{(section, key): [Finding]}."""
    grouped = {}
    for finding in findings:
        grouped.setdefault((finding.section, finding.key), []).append(finding)
    return grouped


def counts(findings):
    errors = sum(1 for f in findings if f.severity == ERROR)
    return {"errors": errors, "warnings": len(findings) - errors}


def link_of(finding):
    """The back-office page where the record a finding names is fixed, or None."""
    if finding.section == "scans":
        return url_for("scans.detail", scan_id=finding.key, show="violations")
    if finding.section == "publisher":
        settings = SiteSettings.current(db.session)
        return url_for("settings.edit_view", id=settings.id) if settings else url_for("settings.create_view")
    endpoint = EDIT_ENDPOINTS.get(finding.section)
    key = finding.key
    if finding.section == "categories":
        key = db.session.scalar(select(Category.id).where(Category.key == finding.key))
    return url_for(f"{endpoint}.edit_view", id=key) if endpoint and key is not None else None


def record_key(kind_name, obj):
    """(section, key) under which the findings name ``obj``."""
    if kind_name == "settings":
        return ("publisher", None)
    section = SECTIONS.get(kind_name)
    return (section, obj.key if kind_name == "category" else obj.id)
