"""Values as files give them (spreadsheet cells, JSON values) read into the inventory's types.

Each reader takes a raw value and returns it typed, or raises InventoryError with a message
the legal team can act on."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from .validation import InventoryError

_TRUE = {"yes", "true", "1", "oui", "y", "vrai", "x"}
_FALSE = {"no", "false", "0", "non", "n", "faux", ""}


def cell_text(value):
    """A cell as text: a spreadsheet's 3.0 is "3", nothing is ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def yes_no(flag):
    return "yes" if flag else "no"


def boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InventoryError(_l("Write yes or no."))


def integer(value):
    if isinstance(value, bool):
        raise InventoryError(_l("Write a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise InventoryError(_l("Write a whole number."))


def choice(choices):
    def read(value):
        value = cell_text(value).strip()
        if value not in choices:
            raise InventoryError(
                _l("“%(value)s” is not one of: %(choices)s.", value=value[:40], choices=", ".join(choices))
            )
        return value

    return read


def timestamp(moment):
    """ISO 8601 in UTC, to the second: the database keeps naive UTC."""
    if moment is None:
        return None
    return moment.replace(microsecond=0).isoformat() + "Z"


def read_timestamp(value):
    """A naive UTC datetime from a text such as 2025-01-31T12:00:00Z."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InventoryError(_l("Write a date such as 2025-01-31T12:00:00Z."))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InventoryError(_l("Write a date such as 2025-01-31T12:00:00Z.")) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
