"""Suggestions for what a scan found and the inventory lacks, from the Open Cookie Database
(github.com/jkwakman/Open-Cookie-Database, Apache-2.0): a pinned copy ships in
``scanner/reference/`` with its licence and source note; ``flask scan update-reference FILE``
puts a newer file in the instance folder, which then takes precedence."""

import csv
import io
from functools import lru_cache
from pathlib import Path

from inventory.importing import ocd
from rules.lifetime import parse_duration
from rules.validation import InventoryError

PINNED = Path(__file__).resolve().parent / "reference" / "open-cookie-database.csv"
INSTANCE_NAME = "open-cookie-database.csv"
MAX_BYTES = 32 * 2**20
# Categories (ours, after ocd.CATEGORIES) that need consent: the standard four's rule.
CONSENT_FREE = {"necessary"}


class ReferenceRefused(Exception):
    pass


def read_rows(data):
    """The rows of an Open Cookie Database CSV (bytes); ReferenceRefused when it is not one."""
    if len(data) > MAX_BYTES:
        raise ReferenceRefused(f"the file is larger than {MAX_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReferenceRefused("the file is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in ocd.REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceRefused("not an Open Cookie Database CSV: missing column(s) " + ", ".join(missing))
    rows = list(reader)
    if not rows:
        raise ReferenceRefused("the file has no rows")
    return rows


def _suggestion(row):
    category = ocd.CATEGORIES.get((row.get("Category") or "").strip().lower())
    try:
        lifetime = parse_duration(row.get("Retention period"))
    except InventoryError:
        lifetime = None
    return {
        "ocd_id": (row.get("ID") or "").strip(),
        "platform": (row.get("Platform") or "").strip(),
        "provider": (row.get("Data Controller") or "").strip(),
        "category": category,
        "consent_required": category is not None and category not in CONSENT_FREE,
        "description": " ".join((row.get("Description") or "").split()),
        "retention": " ".join((row.get("Retention period") or "").split()),
        "lifetime": list(lifetime) if lifetime else None,
        "privacy_url": (row.get(ocd.PORTAL_COLUMN) or "").strip(),
        "domain": (row.get("Domain") or "").strip(),
        "row": {column: row.get(column) or "" for column in ocd.HEADER},
    }


class Reference:
    def __init__(self, rows):
        self.exact = {}
        self.prefixes = []
        for row in rows:
            name = (row.get(ocd.NAME_COLUMN) or "").strip()
            if not name:
                continue
            if (row.get("Wildcard match") or "").strip() == "1":
                self.prefixes.append((name, row))
            else:
                self.exact.setdefault(name, []).append(row)
        self.prefixes.sort(key=lambda pair: -len(pair[0]))  # the longest prefix says most
        self.size = len(rows)

    def suggest(self, name, domain=""):
        """The database's entry for a cookie or key named ``name``, or None ("to classify")."""
        rows = self.exact.get(name) or [row for prefix, row in self.prefixes if name.startswith(prefix)][:5]
        if not rows:
            return None
        domain = (domain or "").lstrip(".").lower()
        best = next((r for r in rows if domain and domain in (r.get("Domain") or "").lower()), rows[0])
        return _suggestion(best)


@lru_cache(maxsize=4)
def _load(path, mtime):
    return Reference(read_rows(Path(path).read_bytes()))


def reference(instance_path=None):
    """The reference in use: the instance folder's copy when there is one, else the pinned one."""
    path = PINNED
    if instance_path and (Path(instance_path) / INSTANCE_NAME).is_file():
        path = Path(instance_path) / INSTANCE_NAME
    return _load(str(path), path.stat().st_mtime_ns)


def replace(data, instance_path):
    """Check ``data`` is an Open Cookie Database CSV, then make it the instance's reference
    (written beside, then renamed: a reader never sees half a file). Returns its row count."""
    rows = read_rows(data)
    target = Path(instance_path) / INSTANCE_NAME
    partial = target.with_suffix(".csv.partial")
    partial.write_bytes(data)
    partial.chmod(0o640)
    partial.replace(target)
    return len(rows)
