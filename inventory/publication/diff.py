"""Two documents of the policy compared record by record and field by field: what was added,
removed and changed, for cookies, providers, purposes, categories and the publisher."""

from dataclasses import dataclass, field

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

# How each section's records are matched between two documents: stable ids, or the key.
_SECTIONS = (
    ("publisher", None),
    ("categories", "key"),
    ("providers", "id"),
    ("purposes", "id"),
    ("cookies", "id"),
)
# Fields that only link records (their changes show as the linked name or text changing).
_LINKS = {"provider_id", "purpose_ids", "id"}


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: object
    new: object


@dataclass(frozen=True)
class RecordDiff:
    section: str  # "cookies", "providers", "purposes", "categories", "publisher"
    action: str  # ADDED, REMOVED or CHANGED
    key: object  # the record's id or key
    old: dict | None
    new: dict | None
    fields: tuple = field(default_factory=tuple)

    @property
    def record(self):
        return self.new if self.new is not None else self.old


def _records(document, section, key):
    value = (document or {}).get(section)
    if key is None:
        return {(): value} if value else {}
    return {record[key]: record for record in value or ()}


def _fields(old, new):
    names = [name for name in {**old, **new} if name not in _LINKS]
    return tuple(FieldChange(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name))


def diff_documents(old, new):
    """[RecordDiff] from ``old`` to ``new`` (either may be None: nothing published yet), in the
    order of the sections above, then of the new document (removed records last)."""
    changes = []
    for section, key in _SECTIONS:
        before, after = _records(old, section, key), _records(new, section, key)
        for ident, record in after.items():
            if ident not in before:
                changes.append(RecordDiff(section, ADDED, ident, None, record))
                continue
            fields = _fields(before[ident], record)
            if fields:
                changes.append(RecordDiff(section, CHANGED, ident, before[ident], record, fields))
        for ident, record in before.items():
            if ident not in after:
                changes.append(RecordDiff(section, REMOVED, ident, record, None))
    return changes


def summary(changes):
    """{section: {action: count}} for an overview."""
    counts = {}
    for change in changes:
        counts.setdefault(change.section, {}).setdefault(change.action, 0)
        counts[change.section][change.action] += 1
    return counts
