"""Field labels shown in every back-office list, form, filter and history row, and the one way
the back office writes a time."""

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from inventory.importing.ocd import FIELD_OF_COLUMN
from inventory.kinds import KINDS

# The inventory's fields are labelled where their kinds are declared; the back office adds
# its related-field paths, computed columns and the accounts' fields.
FIELD_LABELS = {
    **{field.name: field.label for kind in KINDS.values() for field in kind.fields},
    "provider.name": _l("Provider"),
    "category.key": _l("Category"),
    "purposes.description_fr": _l("Purpose (FR)"),
    "purposes.description_en": _l("Purpose (EN)"),
    "lifetime_unit": _l("Lifetime unit"),
    "lifetime_amount": _l("Lifetime amount"),
    "lifetime_minutes": _l("Lifetime"),
    "translations": _l("Translations"),
    "cookies": _l("Cookies"),
    "email": _l("E-mail"),
    "active": _l("Active"),
    "roles": _l("Role"),
    "last_login_at": _l("Previous login"),
    "current_login_at": _l("Last login"),
}

# Keys that only a history snapshot holds.
_SNAPSHOT_LABELS = {"provider_id": _l("Provider"), "category_id": _l("Category"), "version": _l("Version")}


def field_label(key):
    return _SNAPSHOT_LABELS.get(key) or FIELD_LABELS.get(key) or key


def column_label(column):
    """A file's column as the back office names the field it fills: « Durée de vie (Retention
    period) » for the Open Cookie Database's column, « Catégorie » for our own ``category``."""
    field = FIELD_OF_COLUMN.get(column, column)
    label = FIELD_LABELS.get(field)
    if label is None:
        return column
    return str(label) if field == column else f"{label} ({column})"


def local_time(moment, with_zone=True):
    """A stored time (UTC) as the back office writes every time: in the site's time zone
    (``TIMEZONE``), short, followed by the zone's name, « 02/12/2026 15:00 (heure : France) »."""
    if moment is None:
        return ""
    text = format_datetime(moment, "short")
    return f"{text} ({format_datetime(moment, 'v')})" if with_zone else text
