"""What a scan found, added to the draft: each selected undeclared item becomes a row planned
by the importer (``inventory.importing.import_records``), so the preview, the rules, the
all-or-nothing write and the history (source "scan") are the importer's own.

An item the Open Cookie Database knows takes its provider, platform, category, purpose and
privacy link; the rest is "to classify" in the category the editor chose. The lifetime is
the one the scan observed (what the site really does); storage without expiry takes the
database's retention, else the importer's 13-month placeholder, flagged.
"""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from inventory.importing import import_records, ocd
from inventory.importing.report import Where

from .jobs import item_key

TO_CLASSIFY = ("À classer : trouvé par le scan du site", "To classify: found by the site scan")
DAY = 86400


def _retention(item, suggestion):
    seconds = item.get("lifetime_seconds")
    if item["kind"] == "http_cookie":
        if seconds is None:
            return "session"
        return f"{max(1, round(seconds / DAY))} days"
    return (suggestion or {}).get("retention", "")


def _record(scan_row, item, category, shown, site_controller):
    suggestion = item.get("suggestion") or {}
    third = item["party"] == "third"
    domain = item["domain"].lstrip(".").lower()
    cells = dict.fromkeys(ocd.HEADER, "")
    cells.update(
        {
            "ID": suggestion.get("ocd_id") or f"scan-{scan_row.id}",
            "Platform": suggestion.get("platform", ""),
            "Category": "",
            ocd.NAME_COLUMN: item["name"],
            "Domain": domain,
            "Description": suggestion.get("description") or TO_CLASSIFY[1],
            "Retention period": _retention(item, suggestion),
            "Data Controller": suggestion.get("provider") or (domain if third else site_controller),
            ocd.PORTAL_COLUMN: suggestion.get("privacy_url", ""),
            "Wildcard match": "0",
        }
    )
    rec = ocd.record(cells, Where(f"scan {scan_row.id}", row=None))
    # The category: the database's suggestion, else the editor's choice ("to classify").
    rec.problems = [p for p in rec.problems if p.column != "Category"]
    rec.values["category"] = suggestion.get("category") or category
    rec.values["party"] = "third" if third else "first"
    rec.values["domain"] = domain
    seen = ", ".join(f"{scenario}: {page}" for scenario, page in item["seen"].items())
    with force_locale("fr"):
        note = str(
            _l(
                "Found by scan %(id)d of %(url)s (%(seen)s).",
                id=scan_row.id,
                url=scan_row.url,
                seen=seen[:600],
            )
        )
    rec.create_only["notes"] = note + ("\n" + rec.create_only["notes"] if suggestion else "")
    rec.create_only["storage_kind"] = item["kind"]
    rec.create_only["shown_on_policy"] = bool(shown)
    if not suggestion:
        rec.create_only["purposes"] = [TO_CLASSIFY]
    return rec


def selectable(scan_row):
    """{key: item} of the scan's undeclared items (pixels are hosts, not records to add)."""
    items = (scan_row.result or {}).get("items", [])
    return {item_key(i): i for i in items if i["status"] == "undeclared" and i["kind"] != "pixel"}


def add_to_draft(scan_row, keys, *, category, shown, site_controller, dry_run=True):
    """The importer's report for adding the items ``keys`` of ``scan_row`` to the draft."""
    items = selectable(scan_row)
    records = [_record(scan_row, items[key], category, shown, site_controller) for key in keys if key in items]
    return import_records(records, filename=f"scan {scan_row.id}", dry_run=dry_run, source="scan")
