"""What changed between two documents of the policy, in words: for visitors (the archive, in
their language) and for the back office (both languages, before publishing).

``inventory.publication.diff`` finds the changes record by record and field by field; this
module names the records and fields and writes the old and new values as a reader reads them.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from inventory.kinds import CATEGORY, COOKIE, PROVIDER, PURPOSE, SETTINGS
from inventory.publication.diff import ADDED, CHANGED, REMOVED, diff_documents
from models.inventory import PARTY_LABELS, STORAGE_LABELS, display_name
from rules.countries import country_name

from .policy import pick

SECTIONS = {
    "publisher": _l("Site settings"),
    "categories": _l("Categories"),
    "providers": _l("Providers"),
    "purposes": _l("Purposes"),
    "cookies": _l("Cookies"),
}
ACTIONS = {ADDED: _l("Added"), REMOVED: _l("Removed"), CHANGED: _l("Changed")}
_KINDS = {"publisher": SETTINGS, "categories": CATEGORY, "providers": PROVIDER, "purposes": PURPOSE, "cookies": COOKIE}

# The names visitors read on the policy, where they differ from the back office's labels.
_VISITOR_LABELS = {
    ("cookies", "name"): _l("Cookie name"),
    ("cookies", "service"): _l("Service and location"),
    ("cookies", "storage_kind"): _l("Type"),
    ("cookies", "purposes"): _l("Purposes"),
    ("categories", "name"): _l("Name"),
    ("categories", "description"): _l("Description"),
    ("purposes", "description"): _l("Purpose"),
}


@dataclass(frozen=True)
class FieldLine:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangeLine:
    section: str
    action: str
    title: str
    fields: list = field(default_factory=list)

    @property
    def action_label(self):
        return ACTIONS[self.action]


def _label(section, name, suffix=None):
    """The back office's label of a document field (``suffix`` "fr"/"en" for one language)."""
    kind = _KINDS[section]
    wanted = f"{name}_{suffix}" if suffix else name
    for kind_field in kind.fields:
        if kind_field.name == wanted:
            return str(kind_field.label)
    return name


def _category_names(document, lang):
    return {c["key"]: pick(c["name"], lang)[0] for c in (document or {}).get("categories", ())}


class _Writer:
    """Writes values of one section as text in ``lang``."""

    def __init__(self, lang, old_document, new_document):
        self.lang = lang
        self.categories = {"old": _category_names(old_document, lang), "new": _category_names(new_document, lang)}

    def value(self, section, name, value, side):
        lang = self.lang
        if value is None or value == "" or value == []:
            return "—"
        if name == "lifetime":
            return value.get(lang) or value.get("fr") or ""
        if name == "purposes":
            separator = "\u202f; " if lang == "fr" else "; "
            return separator.join(pick(texts, lang)[0] for texts in value)
        if name == "category" and section == "cookies":
            return self.categories[side].get(value, value)
        if name == "party":
            return str(PARTY_LABELS.get(value, value))
        if name == "storage_kind":
            return str(STORAGE_LABELS.get(value, value))
        if name == "country":
            return country_name(value, lang)
        if isinstance(value, bool):
            return str(_l("Yes") if value else _l("No"))
        if isinstance(value, dict):
            return pick(value, lang)[0] or "—"
        return str(value)

    def title(self, section, record):
        lang = self.lang
        if section == "cookies":
            name = display_name(record["name"], record.get("is_pattern"))
            return f"{name} ({record['domain']})" if record.get("domain") else name
        if section == "providers":
            return record["name"]
        if section == "purposes":
            return pick(record["description"], lang)[0]
        if section == "categories":
            return pick(record["name"], lang)[0]
        return str(SECTIONS["publisher"])


def describe(old_document, new_document, lang, both_languages=False):
    """[ChangeLine] from ``old_document`` (None: nothing before) to ``new_document``, in
    ``lang``. Visitors read their language only (a field whose text in it did not change is
    left out); the back office (``both_languages``) reads a bilingual field's two texts."""
    writer = _Writer(lang, old_document, new_document)
    lines = []
    for change in diff_documents(old_document, new_document):
        title = writer.title(change.section, change.record)
        fields = []
        for field_change in change.fields:
            name = field_change.name
            old, new = field_change.old, field_change.new
            bilingual = isinstance(old or new, dict) and set(old or new) >= {"fr", "en"} and name != "lifetime"
            if bilingual and both_languages:
                for language in ("fr", "en"):
                    before, after = (old or {}).get(language), (new or {}).get(language)
                    if before != after:
                        fields.append(FieldLine(_label(change.section, name, language), before or "—", after or "—"))
                continue
            before = writer.value(change.section, name, old, "old")
            after = writer.value(change.section, name, new, "new")
            if before == after:
                continue
            label = _VISITOR_LABELS.get((change.section, name)) if not both_languages else None
            fields.append(FieldLine(str(label or _label(change.section, name)), before, after))
        if change.action == CHANGED and not fields:
            continue
        lines.append(ChangeLine(change.section, change.action, title, fields))
    return lines
