"""How long a cookie lives: either the browser session or an amount of a unit."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .validation import InventoryError

SESSION = "session"
UNITS = ("session", "minutes", "hours", "days", "months", "years")

# Minutes per unit, with the calendar averages CNIL and browsers use
# (a month is a twelfth of 365.25 days).
_MINUTES = {
    "minutes": 1,
    "hours": 60,
    "days": 1440,
    "months": 1440 * 365.25 / 12,
    "years": 1440 * 365.25,
}

UNIT_LABELS = {
    "session": _l("Session (deleted when the browser closes)"),
    "minutes": _l("Minutes"),
    "hours": _l("Hours"),
    "days": _l("Days"),
    "months": _l("Months"),
    "years": _l("Years"),
}

MAX_AMOUNT = 1000


def check(unit, amount):
    """Validate a (unit, amount) pair; return it normalised."""
    if unit not in UNITS:
        raise InventoryError(_l("Choose a lifetime unit."), field="lifetime_unit")
    if unit == SESSION:
        return unit, None
    if amount is None or amount == "":
        raise InventoryError(_l("Enter how many %(unit)s the cookie lives.", unit=UNIT_LABELS[unit].lower()), field="lifetime_amount")
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        raise InventoryError(_l("The lifetime must be a whole number."), field="lifetime_amount") from None
    if not 1 <= amount <= MAX_AMOUNT:
        raise InventoryError(_l("The lifetime must be between 1 and %(max)d.", max=MAX_AMOUNT), field="lifetime_amount")
    return unit, amount


def to_minutes(unit, amount):
    """Comparable length in minutes; None for a session cookie."""
    if unit == SESSION or amount is None:
        return None
    return round(_MINUTES[unit] * amount)


THIRTEEN_MONTHS = to_minutes("months", 13)


def describe(unit, amount):
    """Localised text such as "13 mois" / "13 months" for the current locale."""
    if unit == SESSION or amount is None:
        return str(_l("Session"))
    if unit == "minutes":
        return ngettext("%(num)d minute", "%(num)d minutes", amount)
    if unit == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", amount)
    if unit == "days":
        return ngettext("%(num)d day", "%(num)d days", amount)
    if unit == "months":
        return ngettext("%(num)d month", "%(num)d months", amount)
    return ngettext("%(num)d year", "%(num)d years", amount)
