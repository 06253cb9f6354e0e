"""Field labels shown in every back-office list, form, filter and history row."""

from flask_babel import lazy_gettext as _l

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
    "english": _l("English"),
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
